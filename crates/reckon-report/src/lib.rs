//! reckon-report: writes reconciliation results for people and programs.
//! Every writer takes `impl Write`; choosing files is the caller's job.

mod bench_csv;
mod findings_json;
pub mod model;
mod number;
mod summary_text;
mod xlsx;

pub use bench_csv::{write_exceptions_csv, write_recon_csv};
pub use findings_json::{
    Annotate, Annotation, NoAnnotations, SuggestionView, finding_json, write_findings_json,
    write_findings_json_annotated,
};
pub use summary_text::write_summary;
pub use xlsx::{XlsxError, write_xlsx};
