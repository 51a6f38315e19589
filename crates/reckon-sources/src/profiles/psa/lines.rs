//! Multi-line records (a recurring invoice and its lines): one bad line
//! must not fail the lines around it.

use crate::profiles::{Emit, Outcome, Step};

/// The lines that could be read, each read whole before anything is
/// emitted. When the record bills (`bills`), each unreadable line is noted
/// with its id, column and problem, and a record none of whose lines could
/// be read is unreadable; a record that does not bill keeps quiet about
/// its lines. `results` pairs each line's id with its reading.
pub fn read_lines<T>(
    results: Vec<(String, Step<T>)>,
    out: &mut dyn Emit,
    bills: bool,
) -> Step<Vec<T>> {
    let total = results.len();
    let mut good = Vec::new();
    let mut bad = Vec::new();
    for (id, result) in results {
        match result {
            Ok(line) => good.push(line),
            Err(Outcome::Unreadable { column, problem }) => bad.push((id, column, problem)),
            Err(other) => return Err(other),
        }
    }
    if bills && total > 0 && good.is_empty() {
        let (id, column, problem) = bad.swap_remove(0);
        let more = match total {
            1 => String::new(),
            _ => format!(" (every one of its {total} lines is unreadable)"),
        };
        return Err(Outcome::unreadable(
            &column,
            format!("line {id}: {problem}{more}"),
        ));
    }
    if bills {
        for (id, column, problem) in bad {
            out.note(
                "unreadable line",
                &format!("line {id}, {column}: {problem}"),
            );
        }
    }
    Ok(good)
}
