//! `cors-fairing check`: the verdict a launch and a reload would reach on a configuration,
//! short for a short file: the keys that are set with their sources, then every problem.

use std::io::{self, Write};

use cors_fairing::policy::Policies;
use cors_fairing::status::EffectiveSetting;
use cors_fairing::{Provenance, Report};

use super::args::{CheckOptions, Target};
use super::{Checked, INVALID, OK, load};

pub(super) fn run(target: &Target, options: &CheckOptions, out: &mut impl Write) -> io::Result<u8> {
    let previous = match &options.previous {
        None => None,
        Some(old) => match load(target, Some(old), None).report {
            Some(report) if report.is_valid() => Some(report),
            Some(_) => {
                writeln!(
                    out,
                    "error: the previous configuration {} is itself invalid; check it alone first",
                    old.display()
                )?;
                return Ok(INVALID);
            }
            None => {
                writeln!(
                    out,
                    "error: the previous configuration {} does not exist",
                    old.display()
                )?;
                return Ok(INVALID);
            }
        },
    };
    let checked = load(target, target.file.as_deref(), previous.as_ref());
    header(&checked, out)?;
    if let Some(old) = &options.previous {
        writeln!(out, "judged as a reload from {}", old.display())?;
    }
    let Some(report) = &checked.report else {
        writeln!(
            out,
            "error: the file {} does not exist; hint: name the server's Rocket.toml, or set \
             ROCKET_CONFIG",
            checked.file.display()
        )?;
        writeln!(out, "INVALID: 1 error; a server would not start with this configuration")?;
        return Ok(INVALID);
    };
    if let Some(fingerprint) = &report.fingerprint {
        writeln!(out, "policy fingerprint: {fingerprint}")?;
    }
    let shown = report.settings.iter().filter(|s| options.all || is_set(s));
    for setting in shown {
        writeln!(out, "  {setting}")?;
    }
    if !options.all && report.is_valid() {
        writeln!(out, "  (every other key has its built-in default; --all shows them)")?;
    }
    if let Some(policies) = report.policy() {
        candidates(policies, out)?;
    }
    for file in &report.files {
        writeln!(out, "read from: {}", file.display())?;
    }
    problems(report, out)?;
    let (errors, warnings) =
        (plural(report.errors.len(), "error"), plural(report.warnings.len(), "warning"));
    if !report.is_valid() {
        writeln!(
            out,
            "INVALID: {errors}, {warnings}; a server would not start with this configuration"
        )?;
        writeln!(out, "(a running server would keep its last good policy)")?;
        return Ok(INVALID);
    }
    if options.strict && !report.warnings.is_empty() {
        writeln!(out, "FAILED (--strict): valid, but {warnings}")?;
        return Ok(INVALID);
    }
    writeln!(out, "OK: valid, {warnings}")?;
    Ok(OK)
}

/// Each report-only candidate with its fingerprint, beside its policy's, and the keys in
/// which it differs from the policy it shadows: what a promotion would put in force.
fn candidates(policies: &Policies, out: &mut impl Write) -> io::Result<()> {
    let shadowed = std::iter::once(policies.base()).chain(policies.named());
    for policy in shadowed {
        let name = policy.name();
        let (Some(candidate), Some(fingerprint), Some(in_force)) = (
            policies.report_only(name),
            policies.report_only_fingerprint(name),
            policies.policy_fingerprint(name),
        ) else {
            continue;
        };
        let of = name.map_or("the base policy".to_string(), |name| format!("policy `{name}`"));
        writeln!(
            out,
            "report-only candidate for {of}: fingerprint {fingerprint} (the policy's: \
             {in_force}); judged, never enforced"
        )?;
        let now = EffectiveSetting::all(policy.settings(), &[]);
        let then = EffectiveSetting::all(candidate.settings(), &[]);
        for (now, then) in now.iter().zip(&then).filter(|(now, then)| now.value != then.value) {
            writeln!(out, "  {} = {} (in force: {})", then.key, then.value, now.value)?;
        }
    }
    Ok(())
}

/// Every error, then every warning: one mistake never hides another.
pub(super) fn problems(report: &Report, out: &mut impl Write) -> io::Result<()> {
    for err in &report.errors {
        writeln!(out, "error: {err}")?;
    }
    for warning in &report.warnings {
        writeln!(out, "warning: {warning}")?;
    }
    Ok(())
}

/// A key a file or a variable sets (for a named policy: sets itself).
fn is_set(setting: &EffectiveSetting) -> bool {
    !setting.is_inherited() && setting.provenance != Provenance::Default
}

/// What was read, and whether the environment took part: a check run where the server's
/// variables are not set checks something else.
pub(super) fn header(checked: &Checked, out: &mut impl Write) -> io::Result<()> {
    let Checked { file, profile, env_vars, .. } = checked;
    writeln!(out, "checking {} (profile `{profile}`)", file.display())?;
    if env_vars.is_empty() {
        writeln!(out, "environment: no CORS_* variable set; only the files apply")?;
    } else {
        let vars = env_vars.join(", ");
        writeln!(out, "environment: {vars} applied, as at launch (they win over the files)")?;
    }
    writeln!(
        out,
        "note: values an application merges into Rocket's Figment in code are not seen here"
    )?;
    Ok(())
}

fn plural(count: usize, what: &str) -> String {
    match count {
        1 => format!("1 {what}"),
        n => format!("{n} {what}s"),
    }
}
