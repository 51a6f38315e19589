use std::io::Write;

use anyhow::{Context, Result};

use crate::cli::DemoArgs;
use crate::dataset::{self, InMemory};
use crate::{demo, pipeline};

/// `reckon demo [--out DIR]`.
pub fn run(args: &DemoArgs) -> Result<()> {
    let params = demo::params();
    let files = InMemory(demo::FILES);
    let reference = dataset::load_reference(&files).context("the built-in demo data is invalid")?;
    let recon = pipeline::reconcile_files(&reference, &files, None, &params, 1)?;

    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "reckon demo: a small MSP with {} clients, billed from its PSA and measured by Microsoft 365, RMM, EDR and backup feeds.",
        reference.catalog.clients().len()
    )?;
    writeln!(
        out,
        "Reconciled {} usage rows against {} billing lines as of {}.\n",
        recon.stats().usage_rows,
        recon.stats().billing_lines,
        demo::AS_OF
    )?;
    reckon_report::write_summary(&recon.summary(args.top), &mut out)?;

    if let Some(dir) = &args.out {
        let data_dir = dir.join("data");
        let mut inputs = crate::output::OutputSet::default();
        for &(name, text) in demo::FILES {
            inputs.add(name, move |w: &mut dyn Write| w.write_all(text.as_bytes()));
        }
        inputs.write_to(&data_dir)?;
        let results_dir = dir.join("results");
        let choices = crate::annotations::MappingChoices::new(&reference.catalog, &[], Vec::new());
        let annotations = choices.annotations();
        pipeline::standard_outputs(&recon, &annotations).write_to(&results_dir)?;
        writeln!(
            out,
            "\nWrote the demo's input files to {} and its results to {}.\nRun it yourself: reckon run --data {} --as-of {} --out {}",
            data_dir.display(),
            results_dir.display(),
            data_dir.display(),
            demo::AS_OF,
            results_dir.display()
        )?;
    } else {
        writeln!(
            out,
            "\nSee the input files and full results: reckon demo --out DIR"
        )?;
    }
    Ok(())
}
