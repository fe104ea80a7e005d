//! `seccomp-bpf`: inspect, check and run seccomp-BPF filters from the shell.
//!
//! Output is stable, for scripts. Bad input gets one line on stderr and exit
//! status 2; a program that fails `verify` exits 1.

mod compile;
mod exec;

use std::io::{BufRead, Write};
use std::process::ExitCode;

use seccomp_bpf::bpf::{self, SockFilter};
use seccomp_bpf::parse::{parse_u32, parse_u64};
use seccomp_bpf::{Abi, ByteOrder, Group, SeccompData, Syscall};

mod audit;
mod explain;
mod trace;

const USAGE: &str = "\
usage: seccomp-bpf <command> [options]

commands:
  abis                                   list ABIs: name, audit arch, byte order, word bits
  syscalls --abi ABI                     list an ABI's calls: name<TAB>number, by number
  groups                                 list the syscall groups: name<TAB>description
  groups @NAME --abi ABI                 list a group's calls on an ABI: name<TAB>number
  verify FILE [--abi ABI]                check a filter as the kernel's loader does
  disasm FILE [--abi ABI]                print a filter, one instruction a line
  sim FILE --abi ABI (--syscall NAME | --nr N) [--args A0,...,A5] [--ip N] [--trace]
  sim FILE --abi ABI --batch             read `nr a0 .. a5` lines from stdin
  compile PROFILE [--abi ABI,...] [--caps CAP,...] [--kernel X.Y] [--strict-names]
          [--log-mode] [--format raw|c|rust|disasm] [--name NAME] [-o FILE]
                                         an OCI seccomp profile to a filter (raw
                                         with -o, disasm otherwise, by default)
  explain PROFILE --abi ABI --syscall NAME [--args A0,...] [--caps CAP,...]
          [--kernel X.Y] [--strict-names] [--log-mode]
                                         an OCI profile's action for one call,
                                         and the rules and conditions behind it
  audit FILE --abi ABI[,ABI...] [--strict]
                                         lint any filter: arch and x32 checks,
                                         unreachable code (errors, exit 1);
                                         default ALLOW, EPERM for unknown
                                         numbers, redundant tests (warnings)
  stats FILE --abi ABI[,ABI...]          per ABI: length, charged length, executed
                                         instructions over its calls, cached calls
  exec --profile PROFILE [--abi ABI,...] [--caps CAP,...] [--strict-names] [--report]
       -- CMD [ARGS...]                  run CMD under the profile (with --report, each
                                         refused call is answered as the profile says
                                         and reported on stderr)
  learn -o PROFILE.json [--abi ABI,...] -- CMD [ARGS...]
                                         run CMD, record its calls, write a profile
                                         that allows them (others: ENOSYS)

FILE is a raw sequence of 8-byte sock_filter in the ABI's byte order (the
host's when no ABI is given). Numbers are decimal or 0x-hex.";

/// How a command failed.
enum Fail {
    /// Bad input: exit 2.
    Usage(String),
    /// The checked program is not valid: exit 1 (already reported).
    Check,
}

impl<T: std::fmt::Display> From<T> for Fail {
    fn from(e: T) -> Self {
        Fail::Usage(e.to_string())
    }
}

type Result<T> = std::result::Result<T, Fail>;

fn usage(msg: impl Into<String>) -> Fail {
    Fail::Usage(msg.into())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Fail::Check) => ExitCode::from(1),
        Err(Fail::Usage(msg)) => {
            eprintln!("seccomp-bpf: {msg}");
            ExitCode::from(2)
        }
    }
}

fn run(args: &[String]) -> Result<()> {
    let Some((cmd, rest)) = args.split_first() else {
        return Err(usage(format!("no command given\n{USAGE}")));
    };
    if matches!(
        cmd.as_str(),
        "exec" | "learn" | "__report-child" | "__learn-child"
    ) {
        return exec::run(cmd, rest);
    }
    let mut opts = Opts::parse(rest)?;
    let out = &mut std::io::stdout().lock();
    match cmd.as_str() {
        "abis" => {
            opts.done()?;
            for abi in Abi::ALL {
                writeln!(
                    out,
                    "{:<12} {:#010x} {:<6} {}",
                    abi.name(),
                    abi.audit_arch(),
                    abi.byte_order().name(),
                    abi.word_bits()
                )?;
            }
        }
        "syscalls" => {
            let abi = opts.required_abi()?;
            opts.done()?;
            for (nr, sys) in seccomp_bpf::syscall::table(abi) {
                writeln!(out, "{}\t{}", sys.name(), nr)?;
            }
        }
        "groups" => groups(&mut opts, out)?,
        "verify" => {
            let file = opts.file()?;
            let abi = opts.abi()?;
            opts.done()?;
            let prog = read_program(&file, order_of(abi))?;
            match bpf::verify(&prog) {
                Ok(v) => writeln!(out, "ok {} instructions, {} charged", v.len, v.charged)?,
                Err(e) => {
                    writeln!(out, "invalid: {e}")?;
                    return Err(Fail::Check);
                }
            }
        }
        "disasm" => {
            let file = opts.file()?;
            let abi = opts.abi()?;
            opts.done()?;
            let prog = read_program(&file, order_of(abi))?;
            let mut d = bpf::Disasm::new(&prog);
            if let Some(abi) = abi {
                d = d.abi(abi);
            }
            write!(out, "{d}")?;
        }
        "sim" => sim(&mut opts, out)?,
        "compile" => compile::compile_cmd(&mut opts, out)?,
        "stats" => compile::stats_cmd(&mut opts, out)?,
        "explain" => explain::explain_cmd(&mut opts, out)?,
        "audit" => audit::audit_cmd(&mut opts, out)?,
        "help" | "--help" | "-h" => writeln!(out, "{USAGE}")?,
        other => return Err(usage(format!("unknown command `{other}`\n{USAGE}"))),
    }
    Ok(())
}

fn groups(opts: &mut Opts, out: &mut impl Write) -> Result<()> {
    if opts.positional.is_empty() {
        opts.done()?;
        for g in Group::ALL {
            writeln!(out, "{}\t{}", g.name(), g.description())?;
        }
        return Ok(());
    }
    let name = opts.positional.remove(0);
    let group = Group::from_name(&name)
        .ok_or_else(|| usage(format!("unknown group `{name}` (see `seccomp-bpf groups`)")))?;
    let abi = opts.required_abi()?;
    opts.done()?;
    for (sys, nr) in group.members_on(abi) {
        writeln!(out, "{}\t{}", sys.name(), nr)?;
    }
    Ok(())
}

fn sim(opts: &mut Opts, out: &mut impl Write) -> Result<()> {
    let file = opts.file()?;
    let abi = opts.required_abi()?;
    let batch = opts.flag("--batch");
    let trace = opts.flag("--trace");
    let syscall = opts.value("--syscall")?;
    let nr = opts.value("--nr")?;
    let args = opts.value("--args")?;
    let ip = opts.value("--ip")?;
    opts.done()?;
    let order = abi.byte_order();
    let prog = read_program(&file, order)?;
    if let Err(e) = bpf::verify(&prog) {
        return Err(usage(format!("{file}: not a valid filter: {e}")));
    }
    if batch {
        if syscall.is_some() || nr.is_some() || args.is_some() || ip.is_some() || trace {
            return Err(usage(
                "--batch takes its calls from stdin, not from options",
            ));
        }
        return sim_batch(&prog, abi, out);
    }
    let nr = match (syscall, nr) {
        (Some(name), None) => syscall_nr(&name, abi)?,
        (None, Some(n)) => parse_u32(&n).map_err(|e| usage(format!("--nr {n}: {e}")))?,
        _ => return Err(usage("sim needs exactly one of --syscall NAME and --nr N")),
    };
    let mut data = SeccompData::new(nr as i32, abi.audit_arch(), [0; 6]);
    if let Some(list) = args {
        data.args = parse_args(&list)?;
    }
    if let Some(ip) = ip {
        data.instruction_pointer = parse_u64(&ip).map_err(|e| usage(format!("--ip {ip}: {e}")))?;
    }
    if trace {
        return trace::print(&prog, abi, &data, out);
    }
    let outcome = bpf::run(&prog, order, &data)?;
    writeln!(
        out,
        "action={} executed={}",
        outcome.action(),
        outcome.executed
    )?;
    Ok(())
}

fn sim_batch(prog: &[SockFilter], abi: Abi, out: &mut impl Write) -> Result<()> {
    let stdin = std::io::stdin().lock();
    for (i, line) in stdin.lines().enumerate() {
        let line = line?;
        let mut words = line.split_whitespace();
        let Some(first) = words.next() else { continue };
        let at = |e: &dyn std::fmt::Display| usage(format!("stdin line {}: {e}", i + 1));
        let nr = parse_u32(first).map_err(|e| at(&e))?;
        let mut data = SeccompData::new(nr as i32, abi.audit_arch(), [0; 6]);
        for (slot, word) in data.args.iter_mut().zip(words.by_ref()) {
            *slot = parse_u64(word).map_err(|e| at(&e))?;
        }
        if words.next().is_some() {
            return Err(at(&"more than six arguments"));
        }
        let o = bpf::run(prog, abi.byte_order(), &data)?;
        writeln!(out, "{:#010x} {}", o.ret, o.executed)?;
    }
    Ok(())
}

fn syscall_nr(name: &str, abi: Abi) -> Result<u32> {
    let sys = Syscall::from_name(name).ok_or_else(|| usage(format!("unknown syscall `{name}`")))?;
    sys.nr(abi)
        .ok_or_else(|| usage(format!("syscall `{name}` does not exist on {abi}")))
}

fn parse_args(list: &str) -> Result<[u64; 6]> {
    let mut args = [0u64; 6];
    let words: Vec<&str> = list.split(',').collect();
    if words.len() > 6 {
        return Err(usage(format!("--args {list}: at most six arguments")));
    }
    for (slot, w) in args.iter_mut().zip(&words) {
        *slot = parse_u64(w.trim()).map_err(|e| usage(format!("--args {list}: `{w}`: {e}")))?;
    }
    Ok(args)
}

fn order_of(abi: Option<Abi>) -> ByteOrder {
    abi.map_or(ByteOrder::NATIVE, Abi::byte_order)
}

fn read_program(path: &str, order: ByteOrder) -> Result<Vec<SockFilter>> {
    let bytes = std::fs::read(path).map_err(|e| usage(format!("{path}: {e}")))?;
    if bytes.len() % 8 != 0 {
        return Err(usage(format!(
            "{path}: size {} is not a multiple of 8 (sock_filter is 8 bytes)",
            bytes.len()
        )));
    }
    Ok(bytes
        .chunks_exact(8)
        .map(|c| {
            let mut b = [0u8; 8];
            b.copy_from_slice(c);
            SockFilter::from_bytes(b, order)
        })
        .collect())
}

/// The options after the command: positional words and `--name value` pairs.
struct Opts {
    positional: Vec<String>,
    named: Vec<(String, Option<String>)>,
}

/// Options that take no value.
const FLAGS: &[&str] = &[
    "--batch",
    "--log-mode",
    "--strict",
    "--strict-names",
    "--trace",
];

impl Opts {
    fn parse(args: &[String]) -> Result<Opts> {
        let mut positional = Vec::new();
        let mut named = Vec::new();
        let mut it = args.iter();
        while let Some(a) = it.next() {
            let a = if a == "-o" { "--output" } else { a.as_str() };
            if let Some(stripped) = a.strip_prefix("--") {
                if let Some((k, v)) = stripped.split_once('=') {
                    named.push((format!("--{k}"), Some(v.to_string())));
                } else if FLAGS.contains(&a) {
                    named.push((a.to_string(), None));
                } else {
                    let v = it
                        .next()
                        .ok_or_else(|| usage(format!("{a} needs a value")))?;
                    named.push((a.to_string(), Some(v.clone())));
                }
            } else {
                positional.push(a.to_string());
            }
        }
        Ok(Opts { positional, named })
    }

    fn take(&mut self, name: &str) -> Option<Option<String>> {
        let i = self.named.iter().position(|(k, _)| k == name)?;
        Some(self.named.remove(i).1)
    }

    fn value(&mut self, name: &str) -> Result<Option<String>> {
        match self.take(name) {
            None => Ok(None),
            Some(Some(v)) => {
                if self.named.iter().any(|(k, _)| k == name) {
                    return Err(usage(format!("{name} given twice")));
                }
                Ok(Some(v))
            }
            Some(None) => Err(usage(format!("{name} needs a value"))),
        }
    }

    fn flag(&mut self, name: &str) -> bool {
        self.take(name).is_some()
    }

    fn abi(&mut self) -> Result<Option<Abi>> {
        match self.value("--abi")? {
            None => Ok(None),
            Some(name) => Abi::from_name(&name)
                .map(Some)
                .ok_or_else(|| usage(format!("unknown ABI `{name}` (see `seccomp-bpf abis`)"))),
        }
    }

    fn required_abi(&mut self) -> Result<Abi> {
        self.abi()?.ok_or_else(|| usage("--abi ABI is required"))
    }

    fn file(&mut self) -> Result<String> {
        if self.positional.is_empty() {
            return Err(usage("a FILE argument is required"));
        }
        Ok(self.positional.remove(0))
    }

    fn done(&self) -> Result<()> {
        if let Some(p) = self.positional.first() {
            return Err(usage(format!("unexpected argument `{p}`")));
        }
        if let Some((k, _)) = self.named.first() {
            return Err(usage(format!("unknown option `{k}`")));
        }
        Ok(())
    }
}
