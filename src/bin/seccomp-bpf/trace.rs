//! `sim --trace`: the path a call takes through a filter.

use std::io::Write;

use seccomp_bpf::bpf::{self, Disasm, SockFilter};
use seccomp_bpf::{Abi, SeccompData};

use super::Result;

/// Prints every executed instruction, `pc: text` padded to a column, then
/// A and X as the instruction left them; then the usual
/// `action=... executed=...` line.
pub(crate) fn print(
    prog: &[SockFilter],
    abi: Abi,
    data: &SeccompData,
    out: &mut impl Write,
) -> Result<()> {
    let texts: Vec<String> = Disasm::new(prog)
        .abi(abi)
        .lines()
        .map(|l| l.to_string())
        .collect();
    let mut lines = Vec::new();
    let outcome = bpf::run_traced(prog, abi.byte_order(), data, &mut |step| {
        let text = texts.get(step.pc).map_or("?", String::as_str);
        lines.push(format!(
            "{:>4}: {text:<44} A={:#010x} X={:#010x}",
            step.pc, step.a, step.x
        ));
    })?;
    for line in lines {
        writeln!(out, "{line}")?;
    }
    writeln!(
        out,
        "action={} executed={}",
        outcome.action(),
        outcome.executed
    )?;
    Ok(())
}
