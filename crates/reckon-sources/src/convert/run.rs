//! The conversion: which file is which, in what order they are read, and
//! the account of every row.

use std::collections::BTreeMap;
use std::io;

use super::records::{BillingOut, ClientSeen, ProductSeen, Side, SubscriptionOut, UsageOut};
use super::writer::{CanonicalWriter, OpenOutput, Origin, WrittenCounts};
use crate::error::{SourceError, SourceErrorKind};
use crate::input::{Input, Location};
use crate::profiles::{Context, Emit, Outcome, PartRole, Registry};
use crate::values::is_total_label;

/// What the user says beyond the files.
#[derive(Debug, Clone, Default)]
pub struct ConvertOptions {
    /// Use this profile for every file instead of detecting.
    pub profile: Option<String>,
    /// Fail on the first unreadable row instead of skipping it.
    pub strict: bool,
}

/// What happened to one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileReport {
    pub file: String,
    pub profile: String,
    pub part: String,
    /// Why this profile was chosen.
    pub reason: String,
    pub rows_read: u64,
    pub rows_used: u64,
    /// Rows not used, by reason (blank, total line, not billable, ...).
    pub skipped: BTreeMap<String, u64>,
    /// The first few unreadable rows, as messages naming row and column.
    pub problems: Vec<String>,
    pub unreadable: u64,
}

/// What the whole conversion did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConvertReport {
    pub files: Vec<FileReport>,
    pub written: WrittenCounts,
    /// Things worth knowing that are not about one row (an optional
    /// reference file missing, so names are empty).
    pub notes: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConvertError {
    /// The input is wrong: the user can fix it.
    #[error(transparent)]
    Input(#[from] SourceError),
    /// Writing the canonical files failed.
    #[error("cannot write the converted files: {0}")]
    Output(#[from] io::Error),
}

/// How many unreadable rows a file report quotes in full.
const PROBLEMS_QUOTED: usize = 5;

/// Converts `inputs` with `registry`'s profiles into `writer`'s files.
/// `progress` gets the bytes read so far of the file being streamed.
pub fn convert<O: OpenOutput>(
    registry: &Registry,
    inputs: Vec<Input>,
    options: &ConvertOptions,
    context: &Context,
    writer: &mut CanonicalWriter<O>,
    progress: &mut dyn FnMut(&str, u64),
) -> Result<ConvertReport, ConvertError> {
    let forced = match &options.profile {
        Some(name) => Some(registry.find(name).ok_or_else(|| {
            SourceError::new(
                name,
                SourceErrorKind::Header,
                format!(
                    "is not a profile reckon knows (known: {})",
                    registry
                        .profiles
                        .iter()
                        .map(|p| p.spec.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
        })?),
        None => None,
    };
    let mut report = ConvertReport::default();
    let mut detections = Vec::with_capacity(inputs.len());
    let mut kept = Vec::with_capacity(inputs.len());
    let mut first_failure = None;
    for input in inputs {
        match registry.detect(&input, forced) {
            Ok(detection) => {
                detections.push(detection);
                kept.push(input);
            }
            Err(why) if input.sheet_of_many => {
                report
                    .notes
                    .push(format!("{}: passed over: it {why}", input.name));
                first_failure.get_or_insert(SourceError::new(
                    &input.name,
                    SourceErrorKind::Header,
                    why,
                ));
            }
            Err(why) => {
                return Err(SourceError::new(&input.name, SourceErrorKind::Header, why).into());
            }
        }
    }
    if kept.is_empty()
        && let Some(error) = first_failure
    {
        return Err(error.into());
    }
    let mut inputs = kept;
    // Profiles in the order of their first file; within one, parts in the
    // profile's order (references first), files in the order given.
    let mut profile_order: Vec<usize> = Vec::new();
    for detection in &detections {
        if !profile_order.contains(&detection.profile) {
            profile_order.push(detection.profile);
        }
    }
    for profile_index in profile_order {
        let profile = &registry.profiles[profile_index];
        let spec = &profile.spec;
        let present = |part: usize| {
            detections
                .iter()
                .any(|d| d.profile == profile_index && d.part == part)
        };
        let has_main = spec
            .parts
            .iter()
            .enumerate()
            .any(|(i, part)| part.role == PartRole::Main && present(i));
        for (part_index, part) in spec.parts.iter().enumerate() {
            if present(part_index) || part.role != PartRole::Reference || !has_main {
                continue;
            }
            let first_main = detections
                .iter()
                .zip(&inputs)
                .find(|(d, _)| d.profile == profile_index)
                .map(|(_, input)| input.name.clone())
                .unwrap_or_default();
            if part.needed {
                return Err(SourceError::new(
                    &first_main,
                    SourceErrorKind::Header,
                    format!(
                        "is a {} export; converting it needs its {} too ({}): add that file",
                        spec.name, part.name, part.description
                    ),
                )
                .into());
            }
            report.notes.push(format!(
                "{}: no {} file given ({}); names or details it adds are left empty",
                spec.name, part.name, part.description
            ));
        }
        let mut run = (profile.start)(context);
        for (part_index, part) in spec.parts.iter().enumerate() {
            for (input, detection) in inputs.iter_mut().zip(&detections) {
                if detection.profile != profile_index || detection.part != part_index {
                    continue;
                }
                let mut file_report = FileReport {
                    file: input.name.clone(),
                    profile: spec.name.clone(),
                    part: part.name.clone(),
                    reason: detection.reason.clone(),
                    rows_read: 0,
                    rows_used: 0,
                    skipped: BTreeMap::new(),
                    problems: Vec::new(),
                    unreadable: 0,
                };
                let file_name = input.name.clone();
                {
                    let mut sink = Sink {
                        writer,
                        origin: Origin {
                            profile: &spec.name,
                            file: &file_name,
                            location: Location::Record(0),
                        },
                        side: spec.side,
                        error: None,
                    };
                    run.start_file(&part.name, &file_name, &mut sink);
                    if let Some(error) = sink.error {
                        return Err(error.into());
                    }
                }
                let mut failure: Option<ConvertError> = None;
                let result = input.for_each_record(
                    |record| {
                        file_report.rows_read += 1;
                        let origin = Origin {
                            profile: &spec.name,
                            file: &file_name,
                            location: record.location,
                        };
                        let mut skip = |reason: &str, column: &str, detail: &str| {
                            *file_report.skipped.entry(reason.to_string()).or_insert(0) += 1;
                            writer.skipped(origin, reason, column, detail)
                        };
                        if record.is_blank() {
                            return skip("blank row", "", "").map_err(ConvertError::from);
                        }
                        if record.first_cell().is_some_and(is_total_label) {
                            return skip("total line", "", record.first_cell().unwrap_or(""))
                                .map_err(ConvertError::from);
                        }
                        let mut sink = Sink {
                            writer,
                            origin,
                            side: spec.side,
                            error: None,
                        };
                        let outcome = run.record(&part.name, &record, &mut sink);
                        if let Some(error) = sink.error {
                            return Err(error.into());
                        }
                        match outcome {
                            Outcome::Used => {
                                file_report.rows_used += 1;
                                Ok(())
                            }
                            Outcome::Excluded(reason) => {
                                *file_report.skipped.entry(reason.clone()).or_insert(0) += 1;
                                writer
                                    .skipped(origin, &reason, "", "")
                                    .map_err(ConvertError::from)
                            }
                            Outcome::Unreadable { column, problem } => {
                                let error = SourceError::new(
                                    &file_name,
                                    SourceErrorKind::Value,
                                    problem.clone(),
                                )
                                .at_column(&column);
                                let error = match record.location {
                                    Location::Row(row) => error.at_row(row),
                                    Location::Record(index) => error.at_record(index),
                                };
                                if options.strict {
                                    failure = Some(error.into());
                                    return Err(ConvertError::Output(io::Error::other("stop")));
                                }
                                file_report.unreadable += 1;
                                if file_report.problems.len() < PROBLEMS_QUOTED {
                                    file_report.problems.push(error.to_string());
                                }
                                *file_report
                                    .skipped
                                    .entry("unreadable".to_string())
                                    .or_insert(0) += 1;
                                writer
                                    .skipped(origin, "unreadable", &column, &problem)
                                    .map_err(ConvertError::from)
                            }
                        }
                    },
                    |bytes| progress(&file_name, bytes),
                );
                if let Some(error) = failure {
                    return Err(error);
                }
                result?;
                report.files.push(file_report);
            }
        }
        // Records a profile emits at the end carry no row of their own.
        let mut sink = Sink {
            writer,
            origin: Origin {
                profile: &spec.name,
                file: "",
                location: Location::Record(0),
            },
            side: spec.side,
            error: None,
        };
        run.finish(&mut sink);
        if let Some(error) = sink.error {
            return Err(error.into());
        }
    }
    report.written = writer.counts;
    Ok(report)
}

/// Sends a profile's records to the writer with their origin.
struct Sink<'w, 'o, O: OpenOutput> {
    writer: &'w mut CanonicalWriter<O>,
    origin: Origin<'o>,
    side: Side,
    error: Option<io::Error>,
}

impl<O: OpenOutput> Sink<'_, '_, O> {
    fn keep(&mut self, result: io::Result<()>) {
        if let Err(error) = result
            && self.error.is_none()
        {
            self.error = Some(error);
        }
    }
}

impl<O: OpenOutput> Emit for Sink<'_, '_, O> {
    fn billing(&mut self, line: BillingOut) {
        let result = self.writer.billing(&line, self.origin);
        self.keep(result);
    }
    fn usage(&mut self, record: UsageOut) {
        let result = self.writer.usage(&record, self.origin);
        self.keep(result);
    }
    fn subscription(&mut self, subscription: SubscriptionOut) {
        let result = self.writer.subscription(&subscription, self.origin);
        self.keep(result);
    }
    fn client(&mut self, client: ClientSeen) {
        self.writer.client(self.side, client);
    }
    fn product(&mut self, product: ProductSeen) {
        self.writer.product(self.side, product);
    }
    fn note(&mut self, reason: &str, detail: &str) {
        let result = self.writer.skipped(self.origin, reason, "", detail);
        self.keep(result);
    }
    fn here(&self) -> (String, Location) {
        (self.origin.file.to_string(), self.origin.location)
    }
    fn usage_from(&mut self, record: UsageOut, file: &str, location: Location) {
        let origin = Origin {
            file,
            location,
            ..self.origin
        };
        let result = self.writer.usage(&record, origin);
        self.keep(result);
    }
    fn subscription_from(&mut self, subscription: SubscriptionOut, file: &str, location: Location) {
        let origin = Origin {
            file,
            location,
            ..self.origin
        };
        let result = self.writer.subscription(&subscription, origin);
        self.keep(result);
    }
}
