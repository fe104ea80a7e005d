//! `compile` (an OCI profile to a filter) and `stats` (what a filter
//! costs per ABI).

use std::fmt::Write as _;
use std::io::Write;

use seccomp_bpf::bpf::{self, SockFilter, cache};
use seccomp_bpf::compile::MAX_LEN;
use seccomp_bpf::oci::{KernelVersion, OciErrorKind, Options, Profile};
use seccomp_bpf::{Abi, CompileError, SeccompData, compile, syscall};

use super::{Opts, Result, read_program, usage};

/// The output forms of `compile`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Raw,
    C,
    Rust,
    Disasm,
}

/// `compile PROFILE [--abi ABI,..] [--caps CAP,..] [--kernel X.Y]
/// [--strict-names] [--log-mode] [--format F] [--name NAME] [-o FILE]`.
pub(crate) fn compile_cmd(opts: &mut Opts, out: &mut impl Write) -> Result<()> {
    let file = opts.file()?;
    let abis = match opts.value("--abi")? {
        Some(list) => abi_list(&list)?,
        None => Vec::new(),
    };
    let caps = opts.value("--caps")?;
    let kernel = opts.value("--kernel")?;
    let format = opts.value("--format")?;
    let name = opts.value("--name")?;
    let output = opts.value("--output")?;
    let log_mode = opts.flag("--log-mode");
    let strict_names = opts.flag("--strict-names");
    opts.done()?;

    let format = match format.as_deref() {
        None if output.is_some() => Format::Raw,
        None => Format::Disasm,
        Some("raw") => Format::Raw,
        Some("c") => Format::C,
        Some("rust") => Format::Rust,
        Some("disasm") => Format::Disasm,
        Some(f) => {
            return Err(usage(format!(
                "--format {f}: expected raw, c, rust or disasm"
            )));
        }
    };
    if let Some(n) = &name {
        if !matches!(format, Format::C | Format::Rust) {
            return Err(usage("--name is for --format c or rust"));
        }
        if !is_identifier(n) {
            return Err(usage(format!("--name {n}: not an identifier")));
        }
    }
    let mut options = Options::new().abis(&abis).skip_unknown(!strict_names);
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
        None => running_kernel(),
    };
    if let Some(k) = kernel {
        options = options.kernel(k);
    }

    let text = std::fs::read_to_string(&file).map_err(|e| usage(format!("{file}: {e}")))?;
    let profile = Profile::from_json(&text, &options).map_err(|e| match e.kind() {
        OciErrorKind::NeedKernel => usage(format!("{file}: {e}; give it with --kernel X.Y")),
        _ => usage(format!("{file}: {e}")),
    })?;
    for s in profile.skipped() {
        eprintln!(
            "seccomp-bpf: {file}: {}: skipped unknown system call \"{}\"",
            s.path, s.name
        );
    }
    let rules = profile.rules();
    let policy = rules.policy().log_mode(log_mode);
    let filter = compile::<MAX_LEN>(&policy).map_err(|e| compile_error(&file, &profile, &e))?;
    if let Err(e) = bpf::verify(&filter) {
        return Err(usage(format!(
            "{file}: the compiled filter fails verify: {e}"
        )));
    }
    let abis = profile.abis();
    let first = abis.first().copied().ok_or_else(|| usage("no ABI"))?;
    let abi_names: Vec<&str> = abis.iter().map(|a| a.name()).collect();
    let header = format!("{}; {} instructions", abi_names.join(","), filter.len());
    let bytes: Vec<u8> = match format {
        Format::Raw => filter
            .iter()
            .flat_map(|i| i.to_bytes(first.byte_order()))
            .collect(),
        Format::Disasm => bpf::Disasm::new(&filter)
            .abi(first)
            .to_string()
            .into_bytes(),
        Format::C => c_source(&filter, name.as_deref().unwrap_or("filter"), &header).into_bytes(),
        Format::Rust => {
            rust_source(&filter, name.as_deref().unwrap_or("FILTER"), &header).into_bytes()
        }
    };
    match output {
        Some(path) => std::fs::write(&path, &bytes).map_err(|e| usage(format!("{path}: {e}")))?,
        None => out.write_all(&bytes)?,
    }
    Ok(())
}

/// A compile error, with the profile path of the rule it names.
fn compile_error(file: &str, profile: &Profile, e: &CompileError) -> super::Fail {
    let rule = match *e {
        CompileError::ErrnoRange { rule: Some(r), .. }
        | CompileError::InvalidAction { rule: Some(r), .. }
        | CompileError::ArgIndex { rule: r, .. }
        | CompileError::ConstantTooWide { rule: r, .. }
        | CompileError::UnknownSyscall { rule: r }
        | CompileError::MissingSyscall { rule: r, .. }
        | CompileError::NrAbiNotInPolicy { rule: r, .. }
        | CompileError::NrOutOfAbi { rule: r, .. } => Some(r),
        _ => None,
    };
    match rule.and_then(|r| profile.rule_path(r)) {
        Some(path) => usage(format!("{file}: {path}: {e}")),
        None => usage(format!("{file}: {e}")),
    }
}

/// The running kernel's version, from its release string (what
/// `uname(2)` reports, read from procfs).
fn running_kernel() -> Option<KernelVersion> {
    let release = std::fs::read_to_string("/proc/sys/kernel/osrelease").ok()?;
    KernelVersion::from_release(release.trim())
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
}

/// `--abi a,b,c`.
fn abi_list(list: &str) -> Result<Vec<Abi>> {
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
    Ok(abis)
}

/// `struct sock_filter NAME[] = { { code, jt, jf, k }, ... };`
fn c_source(prog: &[SockFilter], name: &str, header: &str) -> String {
    let mut s = format!("/* seccomp-bpf compile: {header} */\nstruct sock_filter {name}[] = {{\n");
    for i in prog {
        let _ = writeln!(
            s,
            "\t{{ 0x{:04x}, {}, {}, 0x{:08x} }},",
            i.code, i.jt, i.jf, i.k
        );
    }
    s.push_str("};\n");
    s
}

/// `const NAME: [SockFilter; N] = [SockFilter { .. }, ...];`
fn rust_source(prog: &[SockFilter], name: &str, header: &str) -> String {
    let mut s = format!(
        "// seccomp-bpf compile: {header}\nuse seccomp_bpf::bpf::SockFilter;\n\
         const {name}: [SockFilter; {}] = [\n",
        prog.len()
    );
    for i in prog {
        let _ = writeln!(
            s,
            "    SockFilter {{ code: 0x{:04x}, jt: {}, jf: {}, k: 0x{:08x} }},",
            i.code, i.jt, i.jf, i.k
        );
    }
    s.push_str("];\n");
    s
}

/// `stats FILE --abi ABI[,ABI...]`: one line per ABI.
pub(crate) fn stats_cmd(opts: &mut Opts, out: &mut impl Write) -> Result<()> {
    let file = opts.file()?;
    let list = opts
        .value("--abi")?
        .ok_or_else(|| usage("--abi ABI[,ABI...] is required"))?;
    opts.done()?;
    let abis = abi_list(&list)?;
    let first = abis.first().copied().ok_or_else(|| usage("no ABI"))?;
    let prog = read_program(&file, first.byte_order())?;
    let verified =
        bpf::verify(&prog).map_err(|e| usage(format!("{file}: not a valid filter: {e}")))?;
    for abi in abis {
        let table = syscall::table(abi);
        let (mut total, mut max) = (0usize, 0usize);
        for &(nr, _) in table {
            let data = SeccompData::new(nr as i32, abi.audit_arch(), [0; 6]);
            let executed = bpf::run(&prog, first.byte_order(), &data)?.executed;
            total += executed;
            max = max.max(executed);
        }
        let mean = if table.is_empty() {
            0.0
        } else {
            total as f64 / table.len() as f64
        };
        writeln!(
            out,
            "{} length={} charged={} executed_mean={mean:.2} executed_max={max} cached={}/{}",
            abi.name(),
            verified.len,
            verified.charged,
            cache::cached_count(&prog, abi),
            table.len()
        )?;
    }
    Ok(())
}
