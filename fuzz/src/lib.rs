//! What the fuzz targets share: a mirror of [`Policy`] that `arbitrary`
//! can build from fuzzer bytes, and a mirror of one call to check it on.
//!
//! A `Policy` borrows its ABIs, rules, conditions and `AnyOf` sets, so the
//! mirror owns them and lends a `Policy` to a closure
//! ([`PolicySpec::with_policy`]). The mirror is biased towards policies
//! that compile (errno below 4096 most of the time, constants that fit in
//! 32 bits often, raw numbers on the policy's own ABIs) but can express
//! every error the compiler reports.

use arbitrary::Arbitrary;
use seccomp_bpf::policy::{Cmp, Cond, OnMissing, Policy, Rule, Target, Width};
use seccomp_bpf::{Abi, Action, ByteOrder, SeccompData, Syscall, syscall};

/// At most this many rules, conditions per rule and `AnyOf` values, so an
/// input stays quick to compile.
pub const MAX_RULES: usize = 48;
/// See [`MAX_RULES`].
pub const MAX_CONDS: usize = 4;
/// See [`MAX_RULES`].
pub const MAX_SET: usize = 6;

/// An index into [`Abi::ALL`].
#[derive(Arbitrary, Debug, Clone, Copy)]
pub struct AbiIdx(pub u8);

impl AbiIdx {
    /// The ABI.
    pub fn abi(self) -> Abi {
        Abi::ALL[self.0 as usize % Abi::ALL.len()]
    }
}

/// An action, with errno data mostly in range.
#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum ActionSpec {
    KillProcess,
    KillThread,
    Trap(u16),
    /// Reduced modulo 4200: 4096..4199 is out of range.
    Errno(u16),
    UserNotif,
    Trace(u16),
    Log,
    Allow,
    Unknown(u32),
}

impl ActionSpec {
    /// The action.
    pub fn action(self) -> Action {
        match self {
            ActionSpec::KillProcess => Action::KillProcess,
            ActionSpec::KillThread => Action::KillThread,
            ActionSpec::Trap(d) => Action::Trap(d),
            ActionSpec::Errno(d) => Action::Errno(d % 4200),
            ActionSpec::UserNotif => Action::UserNotif,
            ActionSpec::Trace(d) => Action::Trace(d),
            ActionSpec::Log => Action::Log,
            ActionSpec::Allow => Action::Allow,
            ActionSpec::Unknown(v) => Action::Unknown(v),
        }
    }
}

/// A constant, biased to the shapes that matter to a filter.
#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum Val {
    Small(u8),
    Word(u32),
    /// `hi << 32 | lo`.
    Split(u32, u32),
    Full(u64),
    Max,
}

impl Val {
    /// The value.
    pub fn get(self) -> u64 {
        match self {
            Val::Small(v) => v as u64,
            Val::Word(v) => v as u64,
            Val::Split(hi, lo) => (hi as u64) << 32 | lo as u64,
            Val::Full(v) => v,
            Val::Max => u64::MAX,
        }
    }
}

/// A comparison.
#[derive(Arbitrary, Debug, Clone)]
pub enum CmpSpec {
    Eq(Val),
    Ne(Val),
    Lt(Val),
    Le(Val),
    Gt(Val),
    Ge(Val),
    MaskedEq(Val, Val),
    InRange(Val, Val),
    AnyOf(Vec<Val>),
    AllSet(Val),
    NoneSet(Val),
}

/// A condition: argument index (taken modulo 7, so 6 is the invalid one),
/// width and comparison.
#[derive(Arbitrary, Debug, Clone)]
pub struct CondSpec {
    pub arg: u8,
    pub low32: bool,
    pub cmp: CmpSpec,
}

impl CondSpec {
    /// The values an `AnyOf` holds (empty for the other comparisons).
    fn set(&self) -> Vec<u64> {
        match &self.cmp {
            CmpSpec::AnyOf(vs) => vs.iter().take(MAX_SET).map(|v| v.get()).collect(),
            _ => Vec::new(),
        }
    }

    fn cond<'a>(&self, set: &'a [u64]) -> Cond<'a> {
        let cmp = match &self.cmp {
            CmpSpec::Eq(v) => Cmp::Eq(v.get()),
            CmpSpec::Ne(v) => Cmp::Ne(v.get()),
            CmpSpec::Lt(v) => Cmp::Lt(v.get()),
            CmpSpec::Le(v) => Cmp::Le(v.get()),
            CmpSpec::Gt(v) => Cmp::Gt(v.get()),
            CmpSpec::Ge(v) => Cmp::Ge(v.get()),
            CmpSpec::MaskedEq(m, v) => Cmp::MaskedEq {
                mask: m.get(),
                value: v.get(),
            },
            CmpSpec::InRange(lo, hi) => Cmp::InRange {
                lo: lo.get(),
                hi: hi.get(),
            },
            CmpSpec::AnyOf(_) => Cmp::AnyOf(set),
            CmpSpec::AllSet(v) => Cmp::AllSet(v.get()),
            CmpSpec::NoneSet(v) => Cmp::NoneSet(v.get()),
        };
        Cond {
            arg: self.arg % 7,
            width: if self.low32 {
                Width::Low32
            } else {
                Width::Full64
            },
            cmp,
        }
    }
}

/// A raw number on one ABI.
#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum NrSpec {
    /// An entry of the ABI's table (taken modulo its length).
    Table(u16),
    /// Near the ABI's base: `base + n`.
    Based(u16),
    Raw(u32),
}

impl NrSpec {
    fn nr(self, abi: Abi) -> u32 {
        match self {
            NrSpec::Table(i) => {
                let t = syscall::table(abi);
                if t.is_empty() {
                    abi.syscall_base()
                } else {
                    t[i as usize % t.len()].0
                }
            }
            NrSpec::Based(n) => abi.syscall_base().wrapping_add(n as u32),
            NrSpec::Raw(n) => n,
        }
    }
}

/// What a rule applies to.
#[derive(Arbitrary, Debug, Clone)]
pub enum TargetSpec {
    /// An entry of [`Syscall::ALL`] (modulo its length).
    Syscall(u16),
    /// The name of an entry of [`Syscall::ALL`].
    KnownName(u16),
    /// Any text as a name.
    Name(String),
    /// A raw number on one of the policy's ABIs (index modulo their count).
    PolicyNr(u8, NrSpec),
    /// A raw number on any ABI (an error when the policy lacks it).
    AnyNr(AbiIdx, NrSpec),
}

/// A rule.
#[derive(Arbitrary, Debug, Clone)]
pub struct RuleSpec {
    pub target: TargetSpec,
    pub conds: Vec<CondSpec>,
    pub action: ActionSpec,
}

/// A policy.
#[derive(Arbitrary, Debug, Clone)]
pub struct PolicySpec {
    pub default: ActionSpec,
    pub bad_arch: Option<ActionSpec>,
    /// ABIs; repeats are dropped unless `keep_repeats` is set (then the
    /// policy is refused with `DuplicateAbi`).
    pub abis: Vec<AbiIdx>,
    pub keep_repeats: bool,
    pub log_mode: bool,
    pub missing_is_error: bool,
    pub rules: Vec<RuleSpec>,
}

fn syscall_at(i: u16) -> Syscall {
    Syscall::ALL[i as usize % Syscall::ALL.len()]
}

impl PolicySpec {
    /// The policy's ABIs, as [`PolicySpec::with_policy`] gives them.
    pub fn abis(&self) -> Vec<Abi> {
        let mut out: Vec<Abi> = Vec::new();
        for a in self.abis.iter().take(8) {
            let abi = a.abi();
            if self.keep_repeats || !out.contains(&abi) {
                out.push(abi);
            }
        }
        out
    }

    /// Builds the policy and hands it to `f`.
    pub fn with_policy<R>(&self, f: impl FnOnce(&Policy<'_>) -> R) -> R {
        let abis = self.abis();
        let rules = &self.rules[..self.rules.len().min(MAX_RULES)];
        let sets: Vec<Vec<Vec<u64>>> = rules
            .iter()
            .map(|r| r.conds.iter().take(MAX_CONDS).map(|c| c.set()).collect())
            .collect();
        let conds: Vec<Vec<Cond<'_>>> = rules
            .iter()
            .zip(&sets)
            .map(|(r, s)| r.conds.iter().zip(s).map(|(c, s)| c.cond(s)).collect())
            .collect();
        let built: Vec<Rule<'_>> = rules
            .iter()
            .zip(&conds)
            .map(|(r, c)| {
                let target = match &r.target {
                    TargetSpec::Syscall(i) => Target::Syscall(syscall_at(*i)),
                    TargetSpec::KnownName(i) => Target::Name(syscall_at(*i).name()),
                    TargetSpec::Name(s) => Target::Name(s.as_str()),
                    TargetSpec::PolicyNr(i, nr) => {
                        let abi = if abis.is_empty() {
                            Abi::X86_64
                        } else {
                            abis[*i as usize % abis.len()]
                        };
                        Target::Nr {
                            abi,
                            nr: nr.nr(abi),
                        }
                    }
                    TargetSpec::AnyNr(a, nr) => Target::Nr {
                        abi: a.abi(),
                        nr: nr.nr(a.abi()),
                    },
                };
                Rule {
                    target,
                    conds: c,
                    action: r.action.action(),
                }
            })
            .collect();
        let mut p = Policy::new(self.default.action(), &abis, &built)
            .log_mode(self.log_mode)
            .on_missing(if self.missing_is_error {
                OnMissing::Error
            } else {
                OnMissing::Skip
            });
        if let Some(b) = self.bad_arch {
            p = p.bad_arch(b.action());
        }
        f(&p)
    }
}

/// Every constant of every condition of `p`, with its argument index.
pub fn constants(p: &Policy<'_>) -> Vec<(u8, u64)> {
    let mut out = Vec::new();
    for r in p.rules() {
        for c in r.conds {
            let arg = c.arg;
            match c.cmp {
                Cmp::Eq(v)
                | Cmp::Ne(v)
                | Cmp::Lt(v)
                | Cmp::Le(v)
                | Cmp::Gt(v)
                | Cmp::Ge(v)
                | Cmp::AllSet(v)
                | Cmp::NoneSet(v) => out.push((arg, v)),
                Cmp::MaskedEq { mask, value } => {
                    out.push((arg, value));
                    out.push((arg, value | !mask));
                }
                Cmp::InRange { lo, hi } => {
                    out.push((arg, lo));
                    out.push((arg, hi));
                }
                Cmp::AnyOf(vs) => out.extend(vs.iter().map(|&v| (arg, v))),
            }
        }
    }
    out
}

/// Where a call comes from.
#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum ArchSpec {
    /// One of the policy's ABIs (index modulo their count).
    Policy(u8),
    /// Any ABI the crate knows.
    Any(AbiIdx),
    /// Any audit-arch value, on a kernel of either byte order.
    Raw(u32, bool),
}

/// Which number a call has.
#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum CallNr {
    /// The number rule `i` (modulo the count) has on the call's ABI.
    Rule(u8),
    /// A number of the ABI's table.
    Table(u16),
    /// `base + n` of the ABI.
    Based(u16),
    /// With x32's bit set.
    X32(u16),
    Raw(u32),
}

/// One argument.
#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum ArgSpec {
    Zero,
    /// A constant of the policy (index modulo their count) plus a delta.
    Const(u8, i8),
    /// A constant's low word under another high word.
    ConstHigh(u8, u32),
    Raw(u64),
}

/// A call to evaluate a policy on.
#[derive(Arbitrary, Debug, Clone, Copy)]
pub struct CallSpec {
    pub arch: ArchSpec,
    pub nr: CallNr,
    pub args: [ArgSpec; 6],
    pub ip: u64,
}

impl CallSpec {
    /// The `seccomp_data` and the byte order of the kernel it comes from.
    pub fn data(&self, p: &Policy<'_>, consts: &[(u8, u64)]) -> (SeccompData, ByteOrder) {
        let abis = p.abis();
        let (arch, order, abi) = match self.arch {
            ArchSpec::Policy(i) if !abis.is_empty() => {
                let abi = abis[i as usize % abis.len()];
                (abi.audit_arch(), abi.byte_order(), Some(abi))
            }
            ArchSpec::Policy(_) => (Abi::X86_64.audit_arch(), ByteOrder::Little, None),
            ArchSpec::Any(a) => (a.abi().audit_arch(), a.abi().byte_order(), Some(a.abi())),
            ArchSpec::Raw(arch, big) => (
                arch,
                if big {
                    ByteOrder::Big
                } else {
                    ByteOrder::Little
                },
                None,
            ),
        };
        let abi_or = abi.unwrap_or(Abi::X86_64);
        let nr = match self.nr {
            CallNr::Rule(i) if !p.rules().is_empty() => {
                let r = i as usize % p.rules().len();
                match p.rules()[r].nr_on(r, abi_or) {
                    Ok(Some(n)) => n,
                    _ => abi_or.syscall_base(),
                }
            }
            CallNr::Rule(_) => 0,
            CallNr::Table(i) => NrSpec::Table(i).nr(abi_or),
            CallNr::Based(n) => NrSpec::Based(n).nr(abi_or),
            CallNr::X32(n) => 0x4000_0000 | n as u32,
            CallNr::Raw(n) => n,
        };
        let mut args = [0u64; 6];
        for (slot, a) in args.iter_mut().zip(self.args) {
            *slot = match a {
                ArgSpec::Zero => 0,
                ArgSpec::Const(i, d) if !consts.is_empty() => consts[i as usize % consts.len()]
                    .1
                    .wrapping_add(d as i64 as u64),
                ArgSpec::ConstHigh(i, hi) if !consts.is_empty() => {
                    consts[i as usize % consts.len()].1 & 0xffff_ffff | (hi as u64) << 32
                }
                ArgSpec::Const(_, d) => d as i64 as u64,
                ArgSpec::ConstHigh(_, hi) => (hi as u64) << 32,
                ArgSpec::Raw(v) => v,
            };
        }
        let mut d = SeccompData::new(nr as i32, arch, args);
        d.instruction_pointer = self.ip;
        (d, order)
    }
}

/// Disassembles `prog` and checks the text: one line per instruction,
/// each starting with its pc. Returns whether any line is a `.word` (an
/// instruction the disassembler could not name).
pub fn check_disasm(prog: &[seccomp_bpf::bpf::SockFilter], abi: Option<Abi>) -> bool {
    let mut d = seccomp_bpf::bpf::Disasm::new(prog);
    if let Some(abi) = abi {
        d = d.abi(abi);
    }
    let text = format!("{d}");
    let mut n = 0;
    let mut word = false;
    for (pc, line) in text.lines().enumerate() {
        let head = format!("{pc:>4}:");
        assert!(line.starts_with(&head), "line {pc} is {line:?}");
        word |= line.contains(".word");
        n += 1;
    }
    assert_eq!(n, prog.len(), "{text}");
    word
}

impl CallSpec {
    /// A call through the policy's first ABI with number 0 and no
    /// arguments.
    pub fn default_call() -> CallSpec {
        CallSpec {
            arch: ArchSpec::Policy(0),
            nr: CallNr::Raw(0),
            args: [ArgSpec::Zero; 6],
            ip: 0,
        }
    }
}
