//! `cors-fairing check`: what a server would load, or every reason it would not start.

use std::io::{self, Write};

use super::{Checked, INVALID, OK, args::Target, load};
use crate::banner::EffectiveSetting;

pub(super) fn run(target: &Target, out: &mut impl Write) -> io::Result<u8> {
    let checked = load(target);
    header(&checked, out)?;
    let loaded = match &checked.result {
        Ok(loaded) => loaded,
        Err(errors) => {
            for err in errors {
                writeln!(out, "error: {err}")?;
            }
            let count = plural(errors.len(), "error");
            writeln!(out, "INVALID: {count}; a server would not start with this configuration")?;
            writeln!(out, "(a running server would keep its last good policy)")?;
            return Ok(INVALID);
        }
    };
    let policy = &loaded.policy;
    writeln!(out, "policy fingerprint: {}", policy.fingerprint())?;
    for setting in EffectiveSetting::every(policy, &loaded.provenance, &loaded.named) {
        writeln!(out, "  {setting}")?;
    }
    for file in &loaded.files {
        writeln!(out, "read from: {}", file.display())?;
    }
    for warning in &loaded.warnings {
        writeln!(out, "warning: {warning}")?;
    }
    writeln!(out, "OK: valid, {}", plural(loaded.warnings.len(), "warning"))?;
    Ok(OK)
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
    Ok(())
}

fn plural(count: usize, what: &str) -> String {
    match count {
        1 => format!("1 {what}"),
        n => format!("{n} {what}s"),
    }
}
