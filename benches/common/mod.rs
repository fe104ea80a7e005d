//! Shared by `benches/compare.rs` and `examples/compare.rs`: podman's
//! default profile (the const policy of `tests/podman/mod.rs`) handed to
//! three compilers — this crate, libseccomp (through the `libseccomp`
//! crate) and seccompiler — and the table that compares their programs
//! through this crate's interpreter.
//!
//! Every compiler starts from the same `podman::RULES`: the translation to
//! libseccomp's and seccompiler's rule types is done here, rule by rule.
#![allow(dead_code)]

#[path = "../../tests/podman/mod.rs"]
pub mod podman;

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::os::fd::{FromRawFd, OwnedFd};

use libseccomp::{
    ScmpAction, ScmpArch, ScmpArgCompare, ScmpCompareOp, ScmpFilterContext, ScmpSyscall,
};
use seccomp_bpf::bpf::{self, SockFilter, cache};
use seccomp_bpf::policy::{Cmp, Cond, Policy, Target, Width};
use seccomp_bpf::{Abi, Action, ByteOrder, SeccompData, Syscall, syscall};

/// The ABI sets the table covers, with a label.
pub const SETS: [(&str, &[Abi]); 3] = [
    ("x86_64", &[Abi::X86_64]),
    ("x86_64+x86+x32", &[Abi::X86_64, Abi::X86, Abi::X32]),
    ("aarch64+arm", &[Abi::Aarch64, Abi::Arm]),
];

/// The podman policy over `abis`.
pub fn podman_policy(abis: &'static [Abi]) -> Policy<'static> {
    podman::X86_64.with_abis(abis)
}

// ---------------------------------------------------------------- libseccomp

/// libseccomp's token for an ABI, where it has one.
pub fn scmp_arch(abi: Abi) -> Option<ScmpArch> {
    Some(match abi {
        Abi::X86_64 => ScmpArch::X8664,
        Abi::X86 => ScmpArch::X86,
        Abi::X32 => ScmpArch::X32,
        Abi::Aarch64 => ScmpArch::Aarch64,
        Abi::Arm => ScmpArch::Arm,
        Abi::Riscv64 => ScmpArch::Riscv64,
        Abi::Loongarch64 => ScmpArch::Loongarch64,
        Abi::Mips => ScmpArch::Mips,
        Abi::Mipsel => ScmpArch::Mipsel,
        Abi::Mips64 => ScmpArch::Mips64,
        Abi::Mipsel64 => ScmpArch::Mipsel64,
        Abi::Mips64n32 => ScmpArch::Mips64N32,
        Abi::Mipsel64n32 => ScmpArch::Mipsel64N32,
        Abi::Ppc => ScmpArch::Ppc,
        Abi::Ppc64 => ScmpArch::Ppc64,
        Abi::Ppc64le => ScmpArch::Ppc64Le,
        Abi::S390 => ScmpArch::S390,
        Abi::S390x => ScmpArch::S390X,
        Abi::Parisc => ScmpArch::Parisc,
        Abi::Parisc64 => ScmpArch::Parisc64,
        Abi::M68k => ScmpArch::M68k,
        Abi::Sh => ScmpArch::Sh,
        Abi::Sheb => ScmpArch::Sheb,
        _ => return None,
    })
}

/// libseccomp's action for one of ours.
pub fn scmp_action(a: Action) -> ScmpAction {
    match a {
        Action::KillProcess => ScmpAction::KillProcess,
        Action::KillThread => ScmpAction::KillThread,
        Action::Trap(_) => ScmpAction::Trap,
        Action::Errno(e) => ScmpAction::Errno(i32::from(e)),
        Action::UserNotif => ScmpAction::Notify,
        Action::Trace(t) => ScmpAction::Trace(t),
        Action::Log => ScmpAction::Log,
        _ => ScmpAction::Allow,
    }
}

/// libseccomp's comparisons for one condition. libseccomp 2.5 compares
/// whole registers (32 bits on 32-bit ABIs), as [`Width::Full64`] does;
/// a [`Width::Low32`] equality becomes a masked equality. `None` for what
/// it cannot say in one rule (low-32 orderings, sets of values).
pub fn scmp_conds(c: &Cond) -> Option<Vec<ScmpArgCompare>> {
    let arg = u32::from(c.arg);
    let one = |op, v| Some(vec![ScmpArgCompare::new(arg, op, v)]);
    let low = matches!(c.width, Width::Low32);
    let m = if low { 0xffff_ffff } else { u64::MAX };
    match c.cmp {
        Cmp::Eq(v) if low => one(ScmpCompareOp::MaskedEqual(m), v),
        Cmp::AllSet(b) => one(ScmpCompareOp::MaskedEqual(b & m), b & m),
        Cmp::NoneSet(b) => one(ScmpCompareOp::MaskedEqual(b & m), 0),
        Cmp::MaskedEq { mask, value } => one(ScmpCompareOp::MaskedEqual(mask & m), value),
        _ if low => None,
        Cmp::Eq(v) => one(ScmpCompareOp::Equal, v),
        Cmp::Ne(v) => one(ScmpCompareOp::NotEqual, v),
        Cmp::Lt(v) => one(ScmpCompareOp::Less, v),
        Cmp::Le(v) => one(ScmpCompareOp::LessOrEqual, v),
        Cmp::Gt(v) => one(ScmpCompareOp::Greater, v),
        Cmp::Ge(v) => one(ScmpCompareOp::GreaterEqual, v),
        Cmp::InRange { lo, hi } => Some(vec![
            ScmpArgCompare::new(arg, ScmpCompareOp::GreaterEqual, lo),
            ScmpArgCompare::new(arg, ScmpCompareOp::LessOrEqual, hi),
        ]),
        Cmp::AnyOf(_) => None,
    }
}

/// One rule as libseccomp takes it, its call already resolved.
pub struct ScmpRule {
    /// The index of the policy rule it comes from.
    pub index: usize,
    /// The call: by name (native number or libseccomp's pseudo number), or
    /// by our x86_64 number where libseccomp does not know the name.
    pub syscall: ScmpSyscall,
    /// The action.
    pub action: ScmpAction,
    /// The comparisons, all of which must hold.
    pub conds: Vec<ScmpArgCompare>,
}

/// A policy translated for libseccomp once (names resolved), so that a
/// benchmark times libseccomp's own work only.
pub struct ScmpInput {
    /// Default action.
    pub default: ScmpAction,
    /// Bad-arch action.
    pub bad_arch: ScmpAction,
    /// The architectures.
    pub archs: Vec<ScmpArch>,
    /// The rules, in policy order.
    pub rules: Vec<ScmpRule>,
    /// Calls libseccomp 2.5.4 does not know by name. On x86_64 (the native
    /// ABI) they are added by number; libseccomp cannot add them to another
    /// ABI, whose table it looks them up in.
    pub unknown: Vec<&'static str>,
}

/// Translates `policy` for libseccomp.
///
/// # Panics
///
/// On a policy the bench does not handle (raw-number targets, conditions
/// libseccomp cannot express, ABIs it lacks): podman's profile has none.
pub fn scmp_input(policy: &Policy<'static>) -> ScmpInput {
    let mut rules = Vec::new();
    let mut unknown = Vec::new();
    for (index, r) in policy.rules().iter().enumerate() {
        let call = match r.target {
            Target::Syscall(s) => s,
            Target::Name(n) => Syscall::from_name(n).expect("known name"),
            Target::Nr { .. } => panic!("raw-number rules are not translated"),
        };
        let name = call.name();
        let syscall = match ScmpSyscall::from_name(name) {
            Ok(s) => s,
            Err(_) => {
                if !unknown.contains(&name) {
                    unknown.push(name);
                }
                match call.nr(Abi::X86_64) {
                    Some(nr) => ScmpSyscall::from(nr as i32),
                    None => continue,
                }
            }
        };
        let mut conds = Vec::new();
        for c in r.conds {
            conds.extend(scmp_conds(c).expect("condition libseccomp can express"));
        }
        rules.push(ScmpRule {
            index,
            syscall,
            action: scmp_action(r.action),
            conds,
        });
    }
    ScmpInput {
        default: scmp_action(policy.default_action()),
        bad_arch: scmp_action(policy.bad_arch_action()),
        archs: policy
            .abis()
            .iter()
            .map(|&a| scmp_arch(a).expect("ABI libseccomp knows"))
            .collect(),
        rules,
        unknown,
    }
}

/// Builds libseccomp's filter context (rules added, optimize level 2, no
/// BPF generated yet: libseccomp generates it when it exports).
pub fn scmp_build(input: &ScmpInput) -> ScmpFilterContext {
    let mut ctx = ScmpFilterContext::new(input.default).expect("seccomp_init");
    let native = ScmpArch::native();
    if !input.archs.contains(&native) {
        ctx.remove_arch(native).expect("remove native arch");
    }
    for &a in &input.archs {
        if a != native {
            ctx.add_arch(a).expect("add arch");
        }
    }
    ctx.set_act_badarch(input.bad_arch)
        .expect("bad arch action");
    ctx.set_ctl_optimize(2).expect("optimize level 2");
    for r in &input.rules {
        // A call that none of the ABIs has is refused; the policy skips it
        // too (OnMissing::Skip).
        let _ = ctx.add_rule_conditional(r.action, r.syscall, &r.conds);
    }
    ctx
}

/// The rules libseccomp refuses when `input` is built: (rule index,
/// libseccomp's error). [`scmp_build`] ignores them, as a caller that
/// skips what libseccomp refuses would.
pub fn scmp_refused(input: &ScmpInput) -> Vec<(usize, String)> {
    let mut ctx = scmp_build(&ScmpInput {
        rules: Vec::new(),
        default: input.default,
        bad_arch: input.bad_arch,
        archs: input.archs.clone(),
        unknown: Vec::new(),
    });
    let mut out = Vec::new();
    for r in &input.rules {
        if let Err(e) = ctx.add_rule_conditional(r.action, r.syscall, &r.conds) {
            out.push((r.index, format!("{e} ({:?})", e.errno())));
        }
    }
    out
}

/// A memfd to export libseccomp's BPF into (libseccomp 2.5.4 has no
/// export to memory), reused across exports.
pub struct Memfd(File);

impl Memfd {
    /// A new, empty memfd.
    pub fn new() -> Memfd {
        // SAFETY: the name is a NUL-terminated string; the returned fd is
        // checked and then owned by exactly one OwnedFd.
        let fd = unsafe { libc::memfd_create(c"seccomp-bpf-bench".as_ptr(), libc::MFD_CLOEXEC) };
        assert!(fd >= 0, "memfd_create");
        // SAFETY: fd is a fresh descriptor nobody else owns.
        Memfd(File::from(unsafe { OwnedFd::from_raw_fd(fd) }))
    }

    /// Exports `ctx`'s BPF into the memfd and reads it back into `buf`.
    pub fn export(&mut self, ctx: &ScmpFilterContext, buf: &mut Vec<u8>) {
        self.0.set_len(0).expect("truncate");
        self.0.seek(SeekFrom::Start(0)).expect("seek");
        ctx.export_bpf(&self.0).expect("seccomp_export_bpf");
        self.0.seek(SeekFrom::Start(0)).expect("seek");
        buf.clear();
        self.0.read_to_end(buf).expect("read back");
    }

    /// Writes `bytes` and reads them back, as [`Memfd::export`] does: the
    /// I/O part of an export alone.
    pub fn round_trip(&mut self, bytes: &[u8], buf: &mut Vec<u8>) {
        use std::io::Write;
        self.0.set_len(0).expect("truncate");
        self.0.seek(SeekFrom::Start(0)).expect("seek");
        self.0.write_all(bytes).expect("write");
        self.0.seek(SeekFrom::Start(0)).expect("seek");
        buf.clear();
        self.0.read_to_end(buf).expect("read back");
    }
}

impl Default for Memfd {
    fn default() -> Self {
        Memfd::new()
    }
}

/// Decodes exported BPF (native byte order).
pub fn decode(bytes: &[u8]) -> Vec<SockFilter> {
    bytes
        .chunks_exact(8)
        .map(|c| SockFilter::from_bytes(c.try_into().expect("8 bytes"), ByteOrder::NATIVE))
        .collect()
}

/// libseccomp's program for `input`: build, export, read back.
pub fn scmp_program(input: &ScmpInput) -> Vec<SockFilter> {
    let ctx = scmp_build(input);
    let mut buf = Vec::new();
    Memfd::new().export(&ctx, &mut buf);
    decode(&buf)
}

// ---------------------------------------------------------------- seccompiler

/// The ABIs seccompiler 0.5 targets.
pub fn seccompiler_arch(abi: Abi) -> Option<seccompiler::TargetArch> {
    match abi {
        Abi::X86_64 => Some(seccompiler::TargetArch::x86_64),
        Abi::Aarch64 => Some(seccompiler::TargetArch::aarch64),
        Abi::Riscv64 => Some(seccompiler::TargetArch::riscv64),
        _ => None,
    }
}

/// The part of `policy` seccompiler can express: it has one match action
/// per filter, so this is the ALLOW rules (with their conditions) and
/// everything else gets the default action (the mismatch action).
pub fn allow_subset(policy: &Policy<'static>) -> Vec<seccomp_bpf::policy::Rule<'static>> {
    policy
        .rules()
        .iter()
        .filter(|r| r.action == Action::Allow)
        .copied()
        .collect()
}

/// One ABI's seccompiler input: numbers to the rules that allow them (an
/// empty list: allowed whatever the arguments).
pub type SeccompilerInput = BTreeMap<i64, Vec<seccompiler::SeccompRule>>;

fn seccompiler_cond(c: &Cond) -> Vec<seccompiler::SeccompCondition> {
    use seccompiler::{SeccompCmpArgLen as L, SeccompCmpOp as O, SeccompCondition as C};
    let len = match c.width {
        Width::Low32 => L::Dword,
        Width::Full64 => L::Qword,
    };
    let one = |op, v| vec![C::new(c.arg, len.clone(), op, v).expect("condition")];
    match c.cmp {
        Cmp::Eq(v) => one(O::Eq, v),
        Cmp::Ne(v) => one(O::Ne, v),
        Cmp::Lt(v) => one(O::Lt, v),
        Cmp::Le(v) => one(O::Le, v),
        Cmp::Gt(v) => one(O::Gt, v),
        Cmp::Ge(v) => one(O::Ge, v),
        Cmp::MaskedEq { mask, value } => one(O::MaskedEq(mask), value),
        Cmp::AllSet(b) => one(O::MaskedEq(b), b),
        Cmp::NoneSet(b) => one(O::MaskedEq(b), 0),
        Cmp::InRange { lo, hi } => {
            let mut v = one(O::Ge, lo);
            v.extend(one(O::Le, hi));
            v
        }
        Cmp::AnyOf(_) => panic!("sets are not translated for seccompiler"),
    }
}

/// Builds seccompiler's input for the ALLOW rules of `policy` on `abi`,
/// numbers from this crate's tables.
pub fn seccompiler_input(policy: &Policy<'static>, abi: Abi) -> SeccompilerInput {
    let mut map: BTreeMap<i64, Option<Vec<seccompiler::SeccompRule>>> = BTreeMap::new();
    for r in policy.rules().iter().filter(|r| r.action == Action::Allow) {
        let Ok(Some(nr)) = r.nr_on(0, abi) else {
            continue;
        };
        let entry = map.entry(i64::from(nr)).or_insert_with(|| Some(Vec::new()));
        if r.conds.is_empty() {
            // Allowed whatever the arguments: no rule list.
            *entry = None;
        } else if let Some(list) = entry {
            let conds = r.conds.iter().flat_map(seccompiler_cond).collect();
            list.push(seccompiler::SeccompRule::new(conds).expect("rule"));
        }
    }
    map.into_iter()
        .map(|(nr, rules)| (nr, rules.unwrap_or_default()))
        .collect()
}

/// seccompiler's program for `input` on `abi` with `default` as the
/// mismatch action.
pub fn seccompiler_program(
    input: SeccompilerInput,
    abi: Abi,
    default: Action,
) -> seccompiler::BpfProgram {
    let mismatch = match default {
        Action::Errno(e) => seccompiler::SeccompAction::Errno(u32::from(e)),
        _ => panic!("only an ERRNO default is translated"),
    };
    let filter = seccompiler::SeccompFilter::new(
        input,
        mismatch,
        seccompiler::SeccompAction::Allow,
        seccompiler_arch(abi).expect("seccompiler ABI"),
    )
    .expect("seccompiler filter");
    filter.try_into().expect("seccompiler compile")
}

/// seccompiler's instructions as ours.
pub fn from_seccompiler(p: &[seccompiler::sock_filter]) -> Vec<SockFilter> {
    p.iter()
        .map(|i| SockFilter::jump(i.code, i.k, i.jt, i.jf))
        .collect()
}

// ---------------------------------------------------------------- the table

/// (mean, max) instructions executed over every number of `abi`'s table,
/// zero arguments, through this crate's interpreter.
pub fn executed(prog: &[SockFilter], abi: Abi) -> (f64, usize) {
    let table = syscall::table(abi);
    let mut total = 0;
    let mut max = 0;
    for &(nr, _) in table {
        let data = SeccompData::new(nr as i32, abi.audit_arch(), [0; 6]);
        let out = bpf::run(prog, abi.byte_order(), &data).expect("program runs");
        total += out.executed;
        max = max.max(out.executed);
    }
    (total as f64 / table.len() as f64, max)
}

/// One line of the table: a compiler's program on one ABI set.
pub struct Row {
    /// The ABI set.
    pub set: &'static str,
    /// The compiler (and what of the policy it compiled).
    pub compiler: &'static str,
    /// The program.
    pub prog: Vec<SockFilter>,
    /// The ABIs measured.
    pub abis: &'static [Abi],
}

/// Every program the table shows.
pub fn rows() -> Vec<Row> {
    let mut rows = Vec::new();
    for (set, abis) in SETS {
        let policy = podman_policy(abis);
        let ours = seccomp_bpf::compile::<2048>(&policy).expect("ours compiles");
        rows.push(Row {
            set,
            compiler: "seccomp-bpf",
            prog: ours.to_vec(),
            abis,
        });
        rows.push(Row {
            set,
            compiler: "libseccomp 2.5.4 -O2",
            prog: scmp_program(&scmp_input(&policy)),
            abis,
        });
        if let [abi] = abis
            && seccompiler_arch(*abi).is_some()
        {
            let allow = allow_subset(&policy);
            let sub = Policy::new(policy.default_action(), abis, &allow);
            let ours = seccomp_bpf::compile::<2048>(&sub).expect("ours compiles");
            rows.push(Row {
                set,
                compiler: "seccomp-bpf, ALLOW rules",
                prog: ours.to_vec(),
                abis,
            });
            let p = seccompiler_program(
                seccompiler_input(&policy, *abi),
                *abi,
                policy.default_action(),
            );
            rows.push(Row {
                set,
                compiler: "seccompiler 0.5, ALLOW rules",
                prog: from_seccompiler(&p),
                abis,
            });
        }
    }
    rows
}

/// Prints the table of lengths, executed instructions and cached calls.
pub fn print_table(rows: &[Row]) {
    println!(
        "podman default profile ({} rules, default {}), executed = instructions run \
         over every number of the ABI's table with zero arguments (our interpreter), \
         cached = numbers the kernel's constant-action cache would serve",
        podman::RULES.len(),
        podman::DEFAULT
    );
    println!(
        "{:<16} {:<30} {:>5}  {:<8} {:>6} {:>4} {:>7}",
        "ABIs", "compiler", "len", "ABI", "mean", "max", "cached"
    );
    for r in rows {
        for (i, &abi) in r.abis.iter().enumerate() {
            let (mean, max) = executed(&r.prog, abi);
            let (set, compiler, len) = if i == 0 {
                (r.set, r.compiler, r.prog.len().to_string())
            } else {
                ("", "", String::new())
            };
            println!(
                "{:<16} {:<30} {:>5}  {:<8} {:>6.2} {:>4} {:>7}",
                set,
                compiler,
                len,
                abi.name(),
                mean,
                max,
                cache::cached_count(&r.prog, abi)
            );
        }
    }
}

// ---------------------------------------------------------------- agreement

/// A call on which two programs (or a program and the policy) disagree.
#[derive(Debug, Clone)]
pub struct Difference {
    /// The ABI of the call.
    pub abi: Abi,
    /// Its number.
    pub nr: u32,
    /// Its arguments.
    pub args: [u64; 6],
    /// Our program's action.
    pub ours: Action,
    /// The other program's action.
    pub theirs: Action,
    /// What the policy says.
    pub policy: Action,
}

/// The argument vectors the agreement check tries on every number: zeros,
/// and the constants podman's conditions test, on both sides of each.
pub fn probe_args() -> Vec<[u64; 6]> {
    let mut v = vec![[0; 6]];
    for a0 in [0u64, 8, 16, 0x20000, 0x20008, 0xffff_ffff, 0x1_0000_0000] {
        for a2 in [0u64, 9] {
            v.push([a0, 1, a2, 0, 0, 0]);
        }
    }
    v
}

/// Calls `other` and `ours` decide differently (or where `ours` differs
/// from the policy), for every number of each ABI's table and every
/// number below 1024 (x32: with its bit), and a few numbers past every
/// ABI, with [`probe_args`]; also foreign-arch and x32 calls.
pub fn differences(
    policy: &Policy<'_>,
    ours: &[SockFilter],
    other: &[SockFilter],
) -> Vec<Difference> {
    let mut out = Vec::new();
    let args = probe_args();
    let mut check = |abi: Abi, nr: u32| {
        for a in &args {
            let d = SeccompData::new(nr as i32, abi.audit_arch(), *a);
            let order = abi.byte_order();
            let o = bpf::run(ours, order, &d).expect("ours runs").action();
            let t = bpf::run(other, order, &d).expect("theirs runs").action();
            let p = policy.evaluate(abi, nr, a).expect("policy evaluates");
            if o != t || o != p {
                out.push(Difference {
                    abi,
                    nr,
                    args: *a,
                    ours: o,
                    theirs: t,
                    policy: p,
                });
            }
        }
    };
    let mut abis: Vec<Abi> = policy.abis().to_vec();
    // Calls through ABIs the policy does not list: the bad-arch action.
    for extra in [Abi::X86_64, Abi::X86, Abi::X32, Abi::Aarch64, Abi::Arm] {
        if !abis.contains(&extra) && ByteOrder::NATIVE == extra.byte_order() {
            abis.push(extra);
        }
    }
    for abi in abis {
        let base = if abi == Abi::X32 { 0x4000_0000 } else { 0 };
        let mut nrs: Vec<u32> = (0..1024).map(|n| base | n).collect();
        nrs.extend(syscall::table(abi).iter().map(|&(nr, _)| nr));
        nrs.extend(
            abi.private_base()
                .map(|b| (b..b + 8).collect::<Vec<_>>())
                .unwrap_or_default(),
        );
        nrs.extend([base | 0x3fff_ffff, 0x7fff_ffff, u32::MAX]);
        nrs.sort_unstable();
        nrs.dedup();
        for nr in nrs {
            // x32's numbers on x86_64's arch are x32 calls, and the other
            // way round: evaluate each number through the ABI it belongs to.
            let abi = match abi {
                Abi::X86_64 | Abi::X32 if nr & 0x4000_0000 != 0 => Abi::X32,
                Abi::X86_64 | Abi::X32 => Abi::X86_64,
                a => a,
            };
            check(abi, nr);
        }
    }
    out.sort_by_key(|d| (d.abi as u8, d.nr));
    out.dedup_by(|a, b| a.abi == b.abi && a.nr == b.nr && a.args == b.args);
    out
}

/// Prints the differences, grouped by (ABI, our action, theirs, the
/// policy's), with up to eight calls of each group, and returns how many
/// calls differ.
pub fn print_differences(label: &str, diffs: &[Difference]) -> usize {
    let mut calls: Vec<(Abi, u32)> = diffs.iter().map(|d| (d.abi, d.nr)).collect();
    calls.dedup();
    println!("{label}: {} calls differ", calls.len());
    // (ABI, ours, theirs, policy's) -> the probes.
    type Key = (Abi, Action, Action, Action);
    let mut groups: Vec<(Key, Vec<&Difference>)> = Vec::new();
    for d in diffs {
        let key = (d.abi, d.ours, d.theirs, d.policy);
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, v)) => v.push(d),
            None => groups.push((key, vec![d])),
        }
    }
    for ((abi, ours, theirs, policy), v) in &groups {
        let mut nrs: Vec<u32> = v.iter().map(|d| d.nr).collect();
        nrs.dedup();
        let mut firsts: Vec<&Difference> = Vec::new();
        for d in v {
            if firsts.last().is_none_or(|f| f.nr != d.nr) {
                firsts.push(d);
            }
        }
        let shown: Vec<String> = firsts
            .iter()
            .take(8)
            .map(|d| {
                let name = Syscall::from_nr(*abi, d.nr).map_or("?", |s| s.name());
                format!("{name}({:#x}) args {:x?}", d.nr, &d.args[..3])
            })
            .collect();
        println!(
            "  {abi}: ours {ours}, theirs {theirs}, policy {policy}: {} calls, {} probes, e.g. {}",
            nrs.len(),
            v.len(),
            shown.join("; ")
        );
    }
    calls.len()
}
