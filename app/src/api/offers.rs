use leptos::prelude::*;

use crate::domain::offer_search::{OffersForm, OffersOutcome};

/// The Offers page's search: checks the whole form again (the browser's copy of the checks is
/// only for showing messages early), sends the exact `vastai search offers` body to the
/// marketplace, gates and ranks every offer, and returns one page of the table.
///
/// A bad query or profile is an answer (`OffersOutcome::Invalid`, shown beside the fields), not
/// an error; so is a marketplace that does not answer.
#[server(endpoint = "offers/search")]
pub async fn search_offers(form: OffersForm) -> Result<OffersOutcome, ServerFnError> {
    use crate::domain::offer_search::{InvalidForm, QueryErrorView, rank_and_view};
    use crate::domain::query::build_search_request_for;

    let plan = match form.check().plan() {
        Ok(plan) => plan,
        Err(invalid) => return Ok(OffersOutcome::Invalid(invalid)),
    };
    let body = match build_search_request_for(&plan.query, &plan.options) {
        Ok(request) => request.body_value(),
        Err(e) => {
            return Ok(OffersOutcome::Invalid(InvalidForm {
                query_error: Some(QueryErrorView::from(&e)),
                fields: Vec::new(),
            }));
        }
    };
    let offers = match super::services()?.marketplace.search_offers(body).await {
        Ok(offers) => offers,
        Err(e) => {
            return Ok(OffersOutcome::Unavailable {
                message: e.message,
                transient: e.transient,
            });
        }
    };
    Ok(OffersOutcome::Results(rank_and_view(&offers, &plan)))
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use std::sync::{Arc, Mutex};

    use async_trait::async_trait;

    use super::*;
    use crate::domain::offer::Offer;
    use crate::domain::profile::RunProfile;
    use crate::domain::status::{DatabaseMode, MarketplaceMode};
    use crate::ports::{
        Health, MarketError, Marketplace, ProfileStore, SavedProfile, Services, StoreError,
    };

    struct Fake {
        answer: Result<Vec<Offer>, MarketError>,
        bodies: Mutex<Vec<serde_json::Value>>,
    }

    #[async_trait]
    impl Marketplace for Fake {
        async fn search_offers(&self, body: serde_json::Value) -> Result<Vec<Offer>, MarketError> {
            if let Ok(mut bodies) = self.bodies.lock() {
                bodies.push(body);
            }
            self.answer.clone()
        }
    }

    #[async_trait]
    impl Health for Fake {
        async fn database_ok(&self) -> bool {
            true
        }
    }

    #[async_trait]
    impl ProfileStore for Fake {
        async fn list(&self) -> Result<Vec<SavedProfile>, StoreError> {
            Ok(Vec::new())
        }
        async fn save(&self, _: &str, _: &RunProfile) -> Result<(), StoreError> {
            Ok(())
        }
    }

    /// Runs the server function with `fake` behind every port; returns its answer and the
    /// bodies the marketplace received.
    async fn run(
        fake: Fake,
        form: OffersForm,
    ) -> (Result<OffersOutcome, ServerFnError>, Vec<serde_json::Value>) {
        let fake = Arc::new(fake);
        let owner = Owner::new();
        owner.set();
        provide_context(Services {
            health: fake.clone(),
            marketplace: fake.clone(),
            profiles: fake.clone(),
            runs: Arc::new(crate::ports::NoRuns),
            database: DatabaseMode::Embedded,
            marketplace_mode: MarketplaceMode::Simulated,
            version: "test",
        });
        let out = search_offers(form).await;
        let bodies = fake.bodies.lock().map(|b| b.clone()).unwrap_or_default();
        (out, bodies)
    }

    fn fake(answer: Result<Vec<Offer>, MarketError>) -> Fake {
        Fake {
            answer,
            bodies: Mutex::new(Vec::new()),
        }
    }

    fn offer(id: u64) -> Offer {
        Offer {
            id,
            gpu_name: "RTX 4090".into(),
            num_gpus: 1,
            gpu_ram: Some(24564.0),
            dlperf: Some(100.0),
            dph_base: Some(0.4),
            ..Offer::default()
        }
    }

    #[tokio::test]
    async fn sends_the_exact_cli_body_and_ranks_what_comes_back() {
        let form = OffersForm {
            q: "num_gpus=1 gpu_ram>=20".into(),
            limit: "50".into(),
            storage: "40".into(),
            ..OffersForm::default()
        };
        let (out, bodies) = run(fake(Ok(vec![offer(1), offer(2)])), form).await;
        assert_eq!(
            bodies,
            vec![serde_json::json!({
                "verified": {"eq": true}, "external": {"eq": false}, "rentable": {"eq": true},
                "num_gpus": {"eq": "1"}, "gpu_ram": {"gte": 20000.0},
                "order": [["score", "desc"]], "type": "on-demand", "limit": 50,
                "allocated_storage": 40.0
            })]
        );
        match out {
            Ok(OffersOutcome::Results(v)) => {
                assert_eq!(v.total, 2);
                assert_eq!(v.rows.len(), 2);
            }
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn an_invalid_form_never_reaches_the_marketplace() {
        let form = OffersForm {
            q: "gpu_ram>=>24".into(),
            ..OffersForm::default()
        };
        let (out, bodies) = run(fake(Ok(Vec::new())), form).await;
        assert!(bodies.is_empty());
        match out {
            Ok(OffersOutcome::Invalid(i)) => {
                assert!(i.query_error.is_some_and(|e| e.code == "unknown_operator"))
            }
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn a_marketplace_failure_is_an_answer_not_an_error() {
        let down = MarketError {
            message: "rate limited (429), retry in 2 s".into(),
            transient: true,
        };
        let (out, _) = run(fake(Err(down)), OffersForm::default()).await;
        assert_eq!(
            out.ok(),
            Some(OffersOutcome::Unavailable {
                message: "rate limited (429), retry in 2 s".into(),
                transient: true
            })
        );
    }
}
