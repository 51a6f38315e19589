//! Writes a set of output files all or nothing: each goes to a temporary
//! name first, and only when every one is complete are they renamed into
//! place. A failed run leaves no partial results behind.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// Writes one file whole or not at all: `write` fills a temporary file
/// beside it (buffered, never all in memory), which is then renamed over
/// it. A failure removes the temporary file.
pub fn write_file_atomically(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> Result<()>,
) -> Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&dir)
        .with_context(|| format!("cannot create the directory {}", dir.display()))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "output".to_string());
    let temp = dir.join(format!(".{name}.partial"));
    let written = (|| -> Result<()> {
        let file =
            File::create(&temp).with_context(|| format!("cannot write {}", temp.display()))?;
        let mut buffered = BufWriter::with_capacity(1 << 20, file);
        write(&mut buffered)?;
        let file = buffered
            .into_inner()
            .map_err(|e| anyhow::anyhow!("cannot write {}: {}", temp.display(), e.error()))?;
        file.sync_all()
            .with_context(|| format!("cannot write {}", temp.display()))
    })();
    if let Err(error) = written {
        let _ = fs::remove_file(&temp);
        return Err(error);
    }
    fs::rename(&temp, path).with_context(|| format!("cannot write {}", path.display()))
}

type Writer<'a> = Box<dyn FnOnce(&mut dyn Write) -> io::Result<()> + Send + 'a>;

/// Output files to write together.
#[derive(Default)]
pub struct OutputSet<'a> {
    files: Vec<(&'static str, Writer<'a>)>,
}

impl<'a> OutputSet<'a> {
    pub fn add(
        &mut self,
        name: &'static str,
        write: impl FnOnce(&mut dyn Write) -> io::Result<()> + Send + 'a,
    ) {
        self.files.push((name, Box::new(write)));
    }

    /// Writes every file into `dir` (created if needed).
    pub fn write_to(self, dir: &Path) -> Result<Vec<PathBuf>> {
        fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the output directory {}", dir.display()))?;
        // Each file is written on its own thread, all to temporary names.
        let staged: Vec<(PathBuf, PathBuf)> = self
            .files
            .iter()
            .map(|(name, _)| (dir.join(format!(".{name}.partial")), dir.join(name)))
            .collect();
        let results: Vec<Result<()>> = std::thread::scope(|scope| {
            let writers: Vec<_> = self
                .files
                .into_iter()
                .zip(&staged)
                .map(|((name, write), (temp_path, _))| {
                    scope.spawn(move || write_one(name, write, temp_path))
                })
                .collect();
            writers
                .into_iter()
                .map(|writer| writer.join().expect("an output writer thread panicked"))
                .collect()
        });
        if let Some(error) = results.into_iter().find_map(Result::err) {
            for (temp, _) in &staged {
                let _ = fs::remove_file(temp);
            }
            return Err(error);
        }
        let mut written = Vec::with_capacity(staged.len());
        for (temp, final_path) in staged {
            // Renaming over an existing file makes ext4 flush the new file to
            // disk first (its replace-by-rename safeguard), which costs more
            // than writing it; the complete new file is already in place
            // under its temporary name, so removing the old one first loses
            // nothing.
            match fs::remove_file(&final_path) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => {
                    return Err(e)
                        .with_context(|| format!("cannot replace {}", final_path.display()));
                }
            }
            fs::rename(&temp, &final_path)
                .with_context(|| format!("cannot move {} into place", final_path.display()))?;
            written.push(final_path);
        }
        Ok(written)
    }
}

fn write_one(name: &str, write: Writer<'_>, temp_path: &Path) -> Result<()> {
    let started = std::time::Instant::now();
    let file = File::create(temp_path)
        .with_context(|| format!("cannot create {}", temp_path.display()))?;
    let mut out = BufWriter::new(file);
    write(&mut out)
        .and_then(|()| out.flush())
        .with_context(|| format!("cannot write {}", temp_path.display()))?;
    tracing::info!(
        file = name,
        duration_ms = started.elapsed().as_millis() as u64,
        "wrote output"
    );
    Ok(())
}

impl std::fmt::Debug for OutputSet<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.files.iter().map(|(name, _)| *name).collect();
        f.debug_struct("OutputSet").field("files", &names).finish()
    }
}

/// Files written one by one while a conversion streams, under temporary
/// names; `commit` renames them all into place, `discard` removes them.
#[derive(Debug, Clone)]
pub struct StagedFiles {
    dir: PathBuf,
    opened: std::sync::Arc<std::sync::Mutex<Vec<&'static str>>>,
}

impl StagedFiles {
    pub fn new(dir: &Path) -> Result<StagedFiles> {
        fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the output directory {}", dir.display()))?;
        Ok(StagedFiles {
            dir: dir.to_path_buf(),
            opened: Default::default(),
        })
    }

    fn temp_path(&self, name: &str) -> PathBuf {
        self.dir.join(format!(".{name}.partial"))
    }

    fn names(&self) -> Vec<&'static str> {
        self.opened
            .lock()
            .map(|names| names.clone())
            .unwrap_or_default()
    }

    /// Moves every written file into place; returns their names.
    pub fn commit(&self) -> Result<Vec<String>> {
        let mut names = self.names();
        for name in &names {
            let target = self.dir.join(name);
            fs::rename(self.temp_path(name), &target)
                .with_context(|| format!("cannot move {} into place", target.display()))?;
        }
        names.sort_unstable();
        Ok(names.into_iter().map(str::to_string).collect())
    }

    /// Removes every temporary file: a failed conversion leaves nothing.
    pub fn discard(&self) {
        for name in self.names() {
            let _ = fs::remove_file(self.temp_path(name));
        }
    }
}

impl reckon_sources::convert::OpenOutput for StagedFiles {
    fn open(&mut self, name: &'static str) -> io::Result<Box<dyn Write>> {
        let file = File::create(self.temp_path(name))?;
        if let Ok(mut names) = self.opened.lock() {
            names.push(name);
        }
        Ok(Box::new(BufWriter::with_capacity(256 * 1024, file)))
    }
}
