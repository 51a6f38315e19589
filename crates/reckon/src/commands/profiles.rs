use std::io::Write;

use anyhow::{Context, Result};
use reckon_sources::profiles::{PartRole, Registry};

use crate::cli::ProfilesArgs;
use crate::custom_profiles;
use crate::error::UserError;

/// `reckon profiles [--add FILE]`.
pub fn run(args: &ProfilesArgs) -> Result<()> {
    let dir = custom_profiles::profiles_dir(args.profiles_dir.as_deref());
    if let Some(path) = &args.add {
        let profile = custom_profiles::read_profile(path)?;
        let dir = dir.ok_or_else(|| {
            UserError("no place to keep profiles: pass --profiles-dir or set HOME".to_string())
        })?;
        if Registry::builtin().find(&profile.name).is_some() {
            return Err(UserError(format!(
                "{}: \"{}\" is the name of a built-in profile; choose another",
                path.display(),
                profile.name
            ))
            .into());
        }
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
        let target = dir.join(format!("{}.toml", profile.name));
        std::fs::write(&target, profile.to_toml())
            .with_context(|| format!("cannot write {}", target.display()))?;
        println!("Saved profile {} to {}", profile.name, target.display());
        return Ok(());
    }
    let registry = Registry::builtin().with_custom(custom_profiles::load(dir.as_deref())?);
    let mut out = std::io::stdout().lock();
    for profile in &registry.profiles {
        let spec = &profile.spec;
        let source = if spec.source.is_empty() {
            String::new()
        } else {
            format!(", source \"{}\"", spec.source)
        };
        writeln!(
            out,
            "{}  {} ({}{source})",
            spec.name,
            spec.title,
            spec.side.as_str()
        )?;
        for part in &spec.parts {
            let role = match part.role {
                PartRole::Main => "records",
                PartRole::Reference if part.needed => "reference, needed",
                PartRole::Reference => "reference, optional",
            };
            writeln!(out, "    {} ({role}): {}", part.name, part.description)?;
            writeln!(out, "        needs: {}", part.required.join(", "))?;
            if !part.optional.is_empty() {
                writeln!(out, "        reads: {}", part.optional.join(", "))?;
            }
        }
    }
    Ok(())
}
