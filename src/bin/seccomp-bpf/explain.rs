//! `explain`: what an OCI profile decides for one call, and why.

use std::io::Write;

use seccomp_bpf::oci::{KernelVersion, Options, Profile};
use seccomp_bpf::policy::{Cmp, Cond, Reason, RuleStatus, Width};

use super::{Opts, Result, parse_args, syscall_nr, usage};

/// `explain PROFILE --abi ABI --syscall NAME [--args A0,...] [--caps CAP,...]
/// [--kernel X.Y] [--strict-names] [--log-mode]`.
///
/// The profile is read as `compile PROFILE` reads it on this host (ABIs
/// from the profile for the host's native ABI; call names no ABI has are
/// skipped unless `--strict-names`); when that does not cover ABI, it is
/// read with ABI as the native one.
///
/// Output, one item a line:
///
/// ```text
/// action=ERRNO(22)
/// reason=rule 425 syscalls[71].names[0]
/// rule 425 syscalls[71].names[0] ERRNO(22): decided
///   args[0] == 0x10: args[0]=0x10 held
/// rule 426 syscalls[72].names[0] ALLOW: matched, lost to rule 425
///   args[2] != 0x9: args[2]=0x2 held
/// rule 427 syscalls[73].names[0] ALLOW: not matched
///   args[0] != 0x10: args[0]=0x10 failed
/// ```
///
/// `reason=default` when no rule matched, `reason=bad-arch` when the
/// policy does not list the call's ABI.
pub(crate) fn explain_cmd(opts: &mut Opts, out: &mut impl Write) -> Result<()> {
    let file = opts.file()?;
    let abi = opts.required_abi()?;
    let name = opts
        .value("--syscall")?
        .ok_or_else(|| usage("explain needs --syscall NAME"))?;
    let args = opts.value("--args")?;
    let caps = opts.value("--caps")?;
    let kernel = opts.value("--kernel")?;
    let log_mode = opts.flag("--log-mode");
    let strict_names = opts.flag("--strict-names");
    opts.done()?;

    let nr = syscall_nr(&name, abi)?;
    let args = match args {
        Some(list) => parse_args(&list)?,
        None => [0; 6],
    };
    let mut options = Options::new().skip_unknown(!strict_names);
    if let Some(list) = &caps {
        let caps: Vec<&str> = list.split(',').map(str::trim).collect();
        if caps.iter().any(|c| c.is_empty()) {
            return Err(usage(format!("--caps {list}: an empty capability name")));
        }
        options = options.caps(&caps);
    }
    let kernel = match kernel {
        Some(k) => Some(
            KernelVersion::parse(&k)
                .ok_or_else(|| usage(format!("--kernel {k}: expected major.minor")))?,
        ),
        None => std::fs::read_to_string("/proc/sys/kernel/osrelease")
            .ok()
            .and_then(|r| KernelVersion::from_release(r.trim())),
    };
    if let Some(k) = kernel {
        options = options.kernel(k);
    }
    let text = std::fs::read_to_string(&file).map_err(|e| usage(format!("{file}: {e}")))?;
    let read =
        |o: &Options| Profile::from_json(&text, o).map_err(|e| usage(format!("{file}: {e}")));
    let mut profile = read(&options)?;
    if !profile.abis().contains(&abi) {
        profile = read(&options.clone().native(abi))?;
    }

    let rules = profile.rules();
    let policy = rules.policy().log_mode(log_mode);
    let why = policy
        .explain(abi, nr, &args)
        .map_err(|e| usage(format!("{file}: {e}")))?;
    let path = |i: usize| profile.rule_path(i).unwrap_or_default();
    let verdict = why.verdict();
    writeln!(out, "action={}", verdict.action)?;
    match verdict.reason {
        Reason::Rule(i) => writeln!(out, "reason=rule {i} {}", path(i))?,
        Reason::Default => writeln!(out, "reason=default")?,
        Reason::BadArch => writeln!(out, "reason=bad-arch")?,
    }
    for r in why.rules() {
        let status = match r.status {
            RuleStatus::Decided => "decided".to_string(),
            RuleStatus::Outranked { by } => format!("matched, lost to rule {by}"),
            RuleStatus::Unmatched => "not matched".to_string(),
        };
        writeln!(
            out,
            "rule {} {} {}: {status}",
            r.index,
            path(r.index),
            r.rule.action
        )?;
        for c in r.conds() {
            writeln!(
                out,
                "  {}: args[{}]={:#x} {}",
                CondText(&c.cond),
                c.cond.arg,
                c.value,
                if c.held { "held" } else { "failed" }
            )?;
        }
    }
    Ok(())
}

/// A condition as `args[i] OP value`, `(low 32)` for a narrow one.
struct CondText<'a>(&'a Cond<'a>);

impl std::fmt::Display for CondText<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let c = self.0;
        write!(f, "args[{}]", c.arg)?;
        if c.width == Width::Low32 {
            f.write_str(" (low 32)")?;
        }
        match c.cmp {
            Cmp::Eq(v) => write!(f, " == {v:#x}"),
            Cmp::Ne(v) => write!(f, " != {v:#x}"),
            Cmp::Lt(v) => write!(f, " < {v:#x}"),
            Cmp::Le(v) => write!(f, " <= {v:#x}"),
            Cmp::Gt(v) => write!(f, " > {v:#x}"),
            Cmp::Ge(v) => write!(f, " >= {v:#x}"),
            Cmp::MaskedEq { mask, value } => write!(f, " & {mask:#x} == {value:#x}"),
            Cmp::InRange { lo, hi } => write!(f, " in {lo:#x}..={hi:#x}"),
            Cmp::AnyOf(vs) => {
                f.write_str(" in {")?;
                for (i, v) in vs.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{v:#x}")?;
                }
                f.write_str("}")
            }
            Cmp::AllSet(v) => write!(f, " has all of {v:#x}"),
            Cmp::NoneSet(v) => write!(f, " has none of {v:#x}"),
        }
    }
}
