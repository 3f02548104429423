//! The offline world end to end: rent an offer from the marketplace simulator,
//! and the running instance answers on real SSH as a simulated H200 host.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use server::market::simulator_with_hosts;
use server::ssh::{
    HostSpec, MemoryPins, ProbeSpec, Prober, ProberConfig, generate_keypair, parse_private_key,
};
use server::vast::{ApiKey, CreateInstanceRequest, SearchQuery, SimConfig, VastClient};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rented_instance_is_a_simulated_gpu_host_behind_ssh() {
    let (pem, public) = generate_keypair().expect("keygen");
    // Fast clock: boots in well under a second of wall time.
    let sim = simulator_with_hosts(SimConfig {
        speed: 200.0,
        ..SimConfig::default()
    })
    .expect("simulator");
    let handle = sim
        .spawn("127.0.0.1:0".parse().unwrap())
        .await
        .expect("bind");
    let client = VastClient::new(handle.base_url(), Some(ApiKey::new("test"))).unwrap();

    client
        .add_account_ssh_key(&public)
        .await
        .expect("account key");
    let offers = client
        .search_offers(&SearchQuery::default())
        .await
        .expect("search");
    let first = offers.first().expect("an offer");
    let (offer, gpu_name) = (first.id, first.gpu_name.clone());
    let mut env = BTreeMap::new();
    env.insert("CANOPY_SCENARIO".to_string(), "healthy_nanogpt".to_string());
    let request = CreateInstanceRequest {
        env,
        label: Some("canopy-test-sim-hosts".into()),
        ..CreateInstanceRequest::new("pytorch/pytorch:latest", 40.0)
    };
    let id = client
        .create_instance(offer, &request)
        .await
        .expect("create");

    let mut target = None;
    for _ in 0..200 {
        let instance = client
            .show_instance(id)
            .await
            .expect("show")
            .expect("exists");
        if instance.actual_status.as_deref() == Some("running")
            && let Some(t) = instance.ssh_target()
            && t.1 != 0
        {
            target = Some(t);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (host, port) = target.expect("instance running with an SSH endpoint");
    assert_eq!(host, "127.0.0.1");

    let prober = Prober::new(
        parse_private_key(&pem).expect("key"),
        Arc::new(MemoryPins::new()),
        ProberConfig::default(),
    );
    let spec = HostSpec {
        confined: true,
        ..HostSpec::new(id.to_string(), host, port)
    };
    let check = prober.check(&spec, &ProbeSpec::default()).await;
    let gpu = check
        .probe
        .as_ref()
        .and_then(|p| p.gpu.clone())
        .and_then(|g| g.ok())
        .and_then(|g| g.gpus.into_iter().next())
        .unwrap_or_else(|| panic!("nvidia-smi answered over SSH: {check:?}"));
    // The host presents the GPU the offer promised (it replays an H200
    // recording, slowed to that GPU's speed).
    assert_eq!(
        gpu.name.as_deref(),
        Some(format!("NVIDIA {}", gpu_name).as_str())
    );
    assert_eq!(gpu.util_gpu, Some(0.0), "idle before any training starts");

    // Destroying the instance stops its host: the port no longer speaks SSH.
    client.destroy_instance(id).await.expect("destroy");
    prober.forget(&spec.id).await;
    let after = prober.check(&spec, &ProbeSpec::default()).await;
    assert!(
        after.probe.is_none(),
        "host still answering after destroy: {after:?}"
    );
}
