//! `audit`: lint a filter, ours or foreign, from the program alone.

use std::io::Write;

use seccomp_bpf::Abi;
use seccomp_bpf::audit::{AuditError, audit};

use super::{Fail, Opts, Result, read_program, usage};

/// `audit FILE --abi ABI[,ABI...] [--strict]`: one line per finding
/// (`error KIND pc N: ...` or `warning KIND pc N: ...`), then a summary
/// line `N errors, M warnings`. Exit 1 when there are errors, or warnings
/// with `--strict`.
pub(crate) fn audit_cmd(opts: &mut Opts, out: &mut impl Write) -> Result<()> {
    let file = opts.file()?;
    let list = opts
        .value("--abi")?
        .ok_or_else(|| usage("--abi ABI[,ABI...] is required"))?;
    let strict = opts.flag("--strict");
    opts.done()?;
    let mut abis = Vec::new();
    for name in list.split(',') {
        let name = name.trim();
        let abi = Abi::from_name(name)
            .ok_or_else(|| usage(format!("unknown ABI `{name}` (see `seccomp-bpf abis`)")))?;
        if abis.contains(&abi) {
            return Err(usage(format!("--abi {list}: {abi} given twice")));
        }
        abis.push(abi);
    }
    let order = abis
        .first()
        .map(|a| a.byte_order())
        .ok_or_else(|| usage("no ABI"))?;
    let prog = read_program(&file, order)?;
    let report = audit(&prog, &abis).map_err(|e| match e {
        AuditError::Invalid(e) => usage(format!("{file}: not a valid filter: {e}")),
        e => usage(format!("--abi {list}: {e}")),
    })?;
    for f in report.findings() {
        writeln!(out, "{f}")?;
    }
    if report.dropped() > 0 {
        writeln!(out, "({} more findings not shown)", report.dropped())?;
    }
    let (errors, warnings) = (report.errors(), report.warnings());
    writeln!(out, "{errors} errors, {warnings} warnings")?;
    if errors > 0 || report.dropped() > 0 && strict || warnings > 0 && strict {
        return Err(Fail::Check);
    }
    Ok(())
}
