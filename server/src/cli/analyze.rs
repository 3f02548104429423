//! `canopy analyze FILE [--timing FILE.timing.tsv] [--json]`: the log intelligence
//! from the command line. Streams the file, so memory stays flat for any size.
//! `-` reads standard input (`vastai logs 1234 | canopy analyze -`).

use std::fs::File;
use std::io::Read;
use std::path::PathBuf;

use clap::Args;

use app::domain::logs::parallel::analyze_reader_two_threads;
use app::domain::logs::{Analysis, LogAnalyzer, parse_timing_tsv, replay_into};

use crate::error::CanopyError;

#[derive(Args, Debug)]
pub struct AnalyzeArgs {
    /// The training log (merged stdout+stderr, as `python train.py > train.log 2>&1` leaves it);
    /// `-` for standard input.
    pub file: PathBuf,
    /// Arrival times: `seconds<TAB>total bytes` rows, as recorded next to the traces.
    #[arg(long)]
    pub timing: Option<PathBuf>,
    /// Print a stable JSON object for scripts instead of text.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: AnalyzeArgs) -> Result<(), CanopyError> {
    let analysis = analyze(&args)?;
    if args.json {
        let text = serde_json::to_string_pretty(&analysis)
            .map_err(|e| CanopyError::Input(e.to_string()))?;
        println!("{text}");
    } else {
        print!("{}", analysis.render_text());
    }
    Ok(())
}

fn analyze(args: &AnalyzeArgs) -> Result<Analysis, CanopyError> {
    let unreadable = |path: &PathBuf, e: std::io::Error| {
        CanopyError::Input(format!("cannot read {}: {e}", path.display()))
    };
    // (Read as a plain file is: no arrival times. A pipe delivers what
    // `cat` or `vastai logs` had at once, so its timing says nothing of
    // the run's.)
    let stdin = args.file.as_os_str() == "-";
    let stdin_unreadable =
        |e: std::io::Error| CanopyError::Input(format!("cannot read standard input: {e}"));
    match &args.timing {
        Some(timing_path) => {
            // Timing rows name byte offsets into the log, so the log is read whole;
            // recorded traces are small.
            let timing_text =
                std::fs::read_to_string(timing_path).map_err(|e| unreadable(timing_path, e))?;
            let timing = parse_timing_tsv(&timing_text)
                .map_err(|e| CanopyError::Input(format!("{}: {e}", timing_path.display())))?;
            let log = if stdin {
                let mut log = Vec::new();
                std::io::stdin()
                    .lock()
                    .read_to_end(&mut log)
                    .map_err(stdin_unreadable)?;
                log
            } else {
                std::fs::read(&args.file).map_err(|e| unreadable(&args.file, e))?
            };
            let mut analyzer = LogAnalyzer::new();
            replay_into(&mut analyzer, &log, &timing);
            // (The recording knows how the process ended: its `# exit` row.)
            if let Some((code, at)) = timing.exit {
                analyzer.process_exited(code, Some(at));
            }
            Ok(analyzer.finish())
        }
        None if stdin => {
            analyze_reader_two_threads(std::io::stdin().lock()).map_err(stdin_unreadable)
        }
        None => {
            // A plain file can be big: split lines on this thread while the
            // analyzer runs on another (same result as one thread).
            let file = File::open(&args.file).map_err(|e| unreadable(&args.file, e))?;
            analyze_reader_two_threads(file).map_err(|e| unreadable(&args.file, e))
        }
    }
}
