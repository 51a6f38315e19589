//! The profiles reckon knows, and how a file is matched to one of them by
//! its header or its JSON keys.

use hashbrown::HashSet;

use super::{CustomProfile, Profile, backup, m365, psa, rmm, security};
use crate::input::{Format, Input, normalise_name};

/// Every profile: the built-in ones, then the user's custom ones.
#[derive(Debug)]
pub struct Registry {
    pub profiles: Vec<Profile>,
}

/// The built-in profiles, PSA first.
pub fn builtin_profiles() -> Vec<Profile> {
    let mut profiles = Vec::new();
    profiles.extend(psa::profiles());
    profiles.extend(m365::profiles());
    profiles.extend(rmm::profiles());
    profiles.extend(backup::profiles());
    profiles.extend(security::profiles());
    profiles
}

/// Which profile and part a file was matched to, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detection {
    pub profile: usize,
    pub part: usize,
    pub reason: String,
}

impl Registry {
    pub fn builtin() -> Registry {
        Registry {
            profiles: builtin_profiles(),
        }
    }

    pub fn with_custom(mut self, custom: Vec<CustomProfile>) -> Registry {
        self.profiles
            .extend(custom.into_iter().map(CustomProfile::into_profile));
        self
    }

    pub fn find(&self, name: &str) -> Option<usize> {
        self.profiles
            .iter()
            .position(|profile| profile.spec.name.eq_ignore_ascii_case(name))
    }

    /// Matches a file to the profile part whose fields it has, preferring
    /// the one with most fields in common. With `only`, just that
    /// profile's parts are tried. `None` says what was looked for.
    pub fn detect(&self, input: &Input, only: Option<usize>) -> Result<Detection, String> {
        let fields = input.field_names();
        let mut best: Option<(usize, Detection)> = None;
        let mut runner_up: Option<String> = None;
        for (profile_index, profile) in self.profiles.iter().enumerate() {
            if only.is_some_and(|wanted| wanted != profile_index) {
                continue;
            }
            for (part_index, part) in profile.spec.parts.iter().enumerate() {
                if input.format == Format::Json
                    && part
                        .envelope
                        .as_deref()
                        .is_some_and(|key| input.envelope() != Some(key))
                {
                    continue;
                }
                let Some(matched) = all_present(&part.required, &fields) else {
                    continue;
                };
                let optional: Vec<&str> = part
                    .optional
                    .iter()
                    .filter(|field| any_present(field, &fields))
                    .map(String::as_str)
                    .collect();
                let envelope_bonus = usize::from(part.envelope.is_some()) * 2;
                let score = matched.len() * 2 + optional.len() + envelope_bonus;
                let mut reason = format!(
                    "{} {}: has {}",
                    profile.spec.name,
                    part.name,
                    matched.join(", ")
                );
                if !optional.is_empty() {
                    reason.push_str(&format!(
                        " and {} of {} more of its fields",
                        optional.len(),
                        part.optional.len()
                    ));
                }
                if let Some(key) = &part.envelope {
                    reason.push_str(&format!(", records under \"{key}\""));
                }
                let detection = Detection {
                    profile: profile_index,
                    part: part_index,
                    reason,
                };
                match &best {
                    Some((best_score, _)) if *best_score >= score => {
                        if *best_score == score && runner_up.is_none() {
                            runner_up = Some(format!("{} {}", profile.spec.name, part.name));
                        }
                    }
                    _ => {
                        if best.is_some() {
                            runner_up = None;
                        }
                        best = Some((score, detection));
                    }
                }
            }
        }
        match best {
            Some((_, mut detection)) => {
                if let Some(other) = runner_up {
                    detection.reason.push_str(&format!(
                        " (it matches {other} as well: pass --profile to choose)"
                    ));
                }
                Ok(detection)
            }
            None => {
                let shown: Vec<String> = match input.format {
                    Format::Json => {
                        let mut keys: Vec<String> = fields.iter().cloned().collect();
                        keys.sort();
                        keys.truncate(12);
                        keys
                    }
                    _ => input.header_names().into_iter().take(12).collect(),
                };
                Err(format!(
                    "matches no profile (it has {}); `reckon profiles` lists what each needs, \
                     and a custom profile can map any columns",
                    shown.join(", ")
                ))
            }
        }
    }
}

/// The matching name of each required field, or `None` when one is
/// missing.
fn all_present<'s>(required: &'s [String], fields: &HashSet<String>) -> Option<Vec<&'s str>> {
    required
        .iter()
        .map(|field| {
            field
                .split('|')
                .find(|alternative| fields.contains(&normalise_name(alternative)))
        })
        .collect()
}

fn any_present(field: &str, fields: &HashSet<String>) -> bool {
    field
        .split('|')
        .any(|alternative| fields.contains(&normalise_name(alternative)))
}
