//! A linter for seccomp filters, ours or anyone's, from the program alone.
//!
//! [`audit`] follows every path through a program (it checks it with
//! [`verify()`](crate::bpf::verify()) first), tracking what A, X and the
//! scratch slots hold (`nr`, `arch`, an argument word, a constant, or a value
//! computed from them) and what each path has established about `arch` (a
//! value it equals, or values it does not) and about `nr` (a range, minus a
//! few values). Paths are followed one by one, so that what holds on one
//! path is never blurred with another; identical states meeting at the same
//! instruction are followed once.
//!
//! # Findings
//!
//! Errors:
//!
//! - **`arch`**: a path tests `nr` (a jump on a value computed from `nr`, or
//!   `RET A` with such a value) before it has established `arch` equal to
//!   the audit arch of one of the given ABIs: either it never checked arch
//!   for equality, or it checked for an arch that is not among the ABIs.
//!   Reported at the first such test of the path.
//! - **`x32`**: x32 is not among the ABIs, and a path on x86_64's audit arch
//!   on which `nr` may be an x32 number (`0x40000000..=0x7fffffff`) reaches
//!   a `RET` that lets the call run (`ALLOW`, `LOG`, `TRACE`, `USER_NOTIF`).
//! - **`unreachable`**: instructions that no jump or fall-through reaches.
//! - **`incomplete`**: the program has more distinct paths than the
//!   analysis follows (about two million instruction visits, or 128 pending
//!   branches on one path); what it did not follow may hide findings.
//!
//! Warnings:
//!
//! - **`default-allow`**: a `RET ALLOW` reached on a path on which `nr` may
//!   be a number that no system call of the path's ABI has (a gap in its
//!   table, or a number above its highest): calls the policy does not know,
//!   including every system call added to the kernel later, are allowed.
//! - **`eperm-default`**: a `RET ERRNO(EPERM)` reached by such numbers.
//!   C libraries and language runtimes fall back from a new system call to
//!   an older one only on `ENOSYS` (clone3, faccessat2, statx, fchmodat2);
//!   EPERM makes them fail instead.
//! - **`redundant`**: a conditional jump whose outcome is the same on every
//!   path that reaches it, fixed by what the path already established (its
//!   other branch is never taken), or whose two branches go to the same
//!   place.
//!
//! "A number no system call has" is judged by this crate's tables
//! ([`crate::syscall::table`]); on x86_64's arch, numbers from `0x40000000`
//! belong to x32 when it is among the ABIs, and are left to the `x32`
//! finding when it is not.
//!
//! Each [`Finding`] prints as one stable line: severity, kind, pcs, text.
//!
//! ```text
//! error arch pc 1: nr is tested before arch is checked
//! error x32 pc 9: ALLOW on x86_64's arch for x32 numbers (e.g. 0x40000000); x32 is not among the ABIs
//! error unreachable pc 5-7: no path reaches these instructions
//! warning default-allow pc 12: ALLOW for numbers no x86_64 system call has (e.g. 0x1d0)
//! warning eperm-default pc 13: ERRNO(1) for numbers no x86_64 system call has (e.g. 0x1d0); ENOSYS would let libc fall back
//! warning redundant pc 4: always false here; the branch to pc 6 is never taken
//! ```
//!
//! ```
//! use seccomp_bpf::audit::{audit, Kind};
//! use seccomp_bpf::bpf;
//! use seccomp_bpf::{data, Abi, Action};
//!
//! // Tests nr without checking arch: an i386 or x32 call slips through.
//! let prog = [
//!     bpf::ld_abs(data::NR),
//!     bpf::jeq_k(59, 0, 1),
//!     bpf::ret_k(Action::KillProcess.to_ret()),
//!     bpf::ret_k(Action::Allow.to_ret()),
//! ];
//! let report = audit(&prog, &[Abi::X86_64]).unwrap();
//! let kinds: Vec<Kind> = report.findings().iter().map(|f| f.kind()).collect();
//! assert_eq!(kinds, [Kind::Arch, Kind::X32, Kind::DefaultAllow]);
//! assert_eq!(report.errors(), 2);
//! assert_eq!(
//!     report.findings()[0].to_string(),
//!     "error arch pc 1: nr is tested before arch is checked"
//! );
//! ```
//!
//! # Cost
//!
//! No heap: the work space (about 75 KiB) lives on the stack of the call,
//! and the report holds at most [`MAX_FINDINGS`] findings.

use core::fmt;
use core::hash::{Hash, Hasher};

use crate::abi::{Abi, ByteOrder};
use crate::action::Action;
use crate::bpf::op::*;
use crate::bpf::verify::MAX_INSNS;
use crate::bpf::{SockFilter, VerifyError, verify};
use crate::data::Field;
use crate::policy::abi_of;
use crate::syscall::Syscall;

/// The most findings a [`Report`] holds; more are counted in
/// [`Report::dropped`].
pub const MAX_FINDINGS: usize = 128;

/// Pending branches on one path.
const DEPTH: usize = 128;
/// Instruction visits before the analysis gives up.
const BUDGET: usize = 1 << 21;
/// Slots of the table of states already followed (a power of two).
const MEMO: usize = 4096;
/// The first x32 number and the last.
const X32_FIRST: u32 = 0x4000_0000;
const X32_LAST: u32 = 0x7fff_ffff;
/// EPERM, the same number on every ABI.
const EPERM: u16 = 1;

/// What kind of problem a [`Finding`] is.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
#[non_exhaustive]
pub enum Kind {
    /// `nr` tested without an arch check for the given ABIs (error).
    Arch,
    /// x32 numbers reach a permissive return (error).
    X32,
    /// Instructions no path reaches (error).
    Unreachable,
    /// The analysis did not follow every path (error).
    Incomplete,
    /// Unknown numbers are allowed (warning).
    DefaultAllow,
    /// Unknown numbers get EPERM instead of ENOSYS (warning).
    EpermDefault,
    /// A test whose outcome never varies (warning).
    Redundant,
}

impl Kind {
    /// The kind's name in a report line: `arch`, `x32`, `unreachable`,
    /// `incomplete`, `default-allow`, `eperm-default`, `redundant`.
    pub const fn name(self) -> &'static str {
        match self {
            Kind::Arch => "arch",
            Kind::X32 => "x32",
            Kind::Unreachable => "unreachable",
            Kind::Incomplete => "incomplete",
            Kind::DefaultAllow => "default-allow",
            Kind::EpermDefault => "eperm-default",
            Kind::Redundant => "redundant",
        }
    }

    /// Whether the kind is an error (else a warning).
    pub const fn is_error(self) -> bool {
        matches!(
            self,
            Kind::Arch | Kind::X32 | Kind::Unreachable | Kind::Incomplete
        )
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What a finding found, with the facts its line names.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[non_exhaustive]
pub enum Detail {
    /// `nr` is tested on a path that never checked `arch` for equality.
    ArchUnchecked,
    /// `nr` is tested on a path whose arch is `arch`, not one of the ABIs'.
    ArchNotListed {
        /// The audit arch the path checked.
        arch: u32,
    },
    /// A permissive return reached by x32 numbers on x86_64's arch.
    X32 {
        /// The return value.
        ret: u32,
        /// An x32 number that reaches it.
        nr: u32,
    },
    /// The instructions from the finding's pc to `last` are unreachable.
    Unreachable {
        /// The last unreachable instruction of the run.
        last: usize,
    },
    /// The analysis stopped early.
    Incomplete,
    /// `RET ALLOW` for a number no system call of `abi` has.
    DefaultAllow {
        /// The ABI.
        abi: Abi,
        /// A number that reaches it.
        nr: u32,
    },
    /// `RET ERRNO(EPERM)` for a number no system call of `abi` has.
    EpermDefault {
        /// The ABI.
        abi: Abi,
        /// A number that reaches it.
        nr: u32,
    },
    /// The test always goes one way; the branch to `skipped` is never
    /// taken.
    AlwaysTaken {
        /// Whether the test always holds.
        outcome: bool,
        /// The target of the branch never taken.
        skipped: usize,
    },
    /// Both branches of the test go to `target`.
    SameTarget {
        /// Where both go.
        target: usize,
    },
}

impl Detail {
    /// The kind of finding this is.
    pub const fn kind(&self) -> Kind {
        match self {
            Detail::ArchUnchecked | Detail::ArchNotListed { .. } => Kind::Arch,
            Detail::X32 { .. } => Kind::X32,
            Detail::Unreachable { .. } => Kind::Unreachable,
            Detail::Incomplete => Kind::Incomplete,
            Detail::DefaultAllow { .. } => Kind::DefaultAllow,
            Detail::EpermDefault { .. } => Kind::EpermDefault,
            Detail::AlwaysTaken { .. } | Detail::SameTarget { .. } => Kind::Redundant,
        }
    }
}

/// One problem, at an instruction.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Finding {
    /// The instruction (the first of a run for [`Kind::Unreachable`]).
    pub pc: usize,
    /// What was found there.
    pub detail: Detail,
}

impl Finding {
    /// The kind of finding.
    pub const fn kind(&self) -> Kind {
        self.detail.kind()
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = self.kind();
        let severity = if kind.is_error() { "error" } else { "warning" };
        write!(f, "{severity} {kind} pc {}", self.pc)?;
        match self.detail {
            Detail::Unreachable { last } if last > self.pc => write!(f, "-{last}")?,
            _ => {}
        }
        f.write_str(": ")?;
        match self.detail {
            Detail::ArchUnchecked => f.write_str("nr is tested before arch is checked"),
            Detail::ArchNotListed { arch } => {
                write!(f, "nr is tested on arch {arch:#010x}")?;
                if let Some(name) = Abi::audit_arch_name(arch) {
                    write!(f, " ({name})")?;
                }
                f.write_str(", which is not among the ABIs")
            }
            Detail::X32 { ret, nr } => write!(
                f,
                "{} on x86_64's arch for x32 numbers (e.g. {nr:#x}); x32 is not among the ABIs",
                Action::from_ret(ret)
            ),
            Detail::Unreachable { .. } => f.write_str("no path reaches these instructions"),
            Detail::Incomplete => f.write_str(
                "the program has more paths than the analysis follows; findings may be missing",
            ),
            Detail::DefaultAllow { abi, nr } => write!(
                f,
                "ALLOW for numbers no {abi} system call has (e.g. {nr:#x})"
            ),
            Detail::EpermDefault { abi, nr } => write!(
                f,
                "ERRNO({EPERM}) for numbers no {abi} system call has (e.g. {nr:#x}); \
                 ENOSYS would let libc fall back"
            ),
            Detail::AlwaysTaken { outcome, skipped } => write!(
                f,
                "always {} here; the branch to pc {skipped} is never taken",
                if outcome { "true" } else { "false" }
            ),
            Detail::SameTarget { target } => write!(f, "both branches go to pc {target}"),
        }
    }
}

/// Why a program could not be audited.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub enum AuditError {
    /// The kernel would refuse the program.
    Invalid(VerifyError),
    /// No ABI was given.
    NoAbi,
    /// The ABIs do not share a byte order (no kernel runs them all).
    MixedByteOrder,
}

impl fmt::Display for AuditError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuditError::Invalid(e) => write!(f, "not a valid filter: {e}"),
            AuditError::NoAbi => f.write_str("no ABI given"),
            AuditError::MixedByteOrder => f.write_str("the ABIs do not share a byte order"),
        }
    }
}

impl core::error::Error for AuditError {}

/// The findings of [`audit`], by pc, then kind.
#[derive(Clone, Copy, Debug)]
pub struct Report {
    findings: [Finding; MAX_FINDINGS],
    len: usize,
    dropped: usize,
}

impl Report {
    const fn new() -> Self {
        Report {
            findings: [Finding {
                pc: 0,
                detail: Detail::Incomplete,
            }; MAX_FINDINGS],
            len: 0,
            dropped: 0,
        }
    }

    /// The findings, ordered by pc, then by kind.
    pub fn findings(&self) -> &[Finding] {
        self.findings.get(..self.len).unwrap_or(&[])
    }

    /// How many findings did not fit ([`MAX_FINDINGS`]).
    pub const fn dropped(&self) -> usize {
        self.dropped
    }

    /// The number of errors among the findings.
    pub fn errors(&self) -> usize {
        self.findings()
            .iter()
            .filter(|f| f.kind().is_error())
            .count()
    }

    /// The number of warnings among the findings.
    pub fn warnings(&self) -> usize {
        self.findings().len() - self.errors()
    }

    /// Whether some finding has kind `kind`.
    pub fn has(&self, kind: Kind) -> bool {
        self.findings().iter().any(|f| f.kind() == kind)
    }

    /// Adds a finding unless one of its kind is already at its pc.
    fn add(&mut self, pc: usize, detail: Detail) {
        let kind = detail.kind();
        if self
            .findings()
            .iter()
            .any(|f| f.pc == pc && f.kind() == kind)
        {
            return;
        }
        match self.findings.get_mut(self.len) {
            Some(slot) => {
                *slot = Finding { pc, detail };
                self.len += 1;
            }
            None => self.dropped += 1,
        }
    }

    fn sort(&mut self) {
        let n = self.len.min(MAX_FINDINGS);
        self.findings[..n].sort_unstable_by_key(|f| (f.pc, f.kind()));
    }
}

/// Lints `prog` as a filter meant for the ABIs `abis` (see the [module
/// docs](self) for what it finds).
///
/// # Errors
///
/// [`AuditError::Invalid`] when the kernel would refuse the program,
/// [`AuditError::NoAbi`] or [`AuditError::MixedByteOrder`] for the ABIs.
pub fn audit(prog: &[SockFilter], abis: &[Abi]) -> Result<Report, AuditError> {
    let first = abis.first().ok_or(AuditError::NoAbi)?;
    let order = first.byte_order();
    if abis.iter().any(|a| a.byte_order() != order) {
        return Err(AuditError::MixedByteOrder);
    }
    verify(prog).map_err(AuditError::Invalid)?;
    let mut a = Auditor {
        prog,
        abis,
        order,
        flags: [0; MAX_INSNS],
        memo: [0; MEMO],
        report: Report::new(),
        visits: 0,
        incomplete: false,
    };
    a.structure();
    a.walk();
    a.finish();
    Ok(a.report)
}

/// Per-pc flags.
const REACHABLE: u8 = 1;
const MERGE: u8 = 2;
const ONE_PRED: u8 = 4;
const VISITED: u8 = 8;
const OPEN: u8 = 16;
const ONLY_TRUE: u8 = 32;
const ONLY_FALSE: u8 = 64;

/// Taint bits: what a value was computed from.
const T_NR: u8 = 1;
const T_ARCH: u8 = 2;
const T_OTHER: u8 = 4;

/// What a register or scratch slot holds.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
enum Val {
    /// Something computed from the tainted sources.
    Unknown(u8),
    /// A constant.
    Const(u32),
    /// A word of `seccomp_data`, as loaded.
    Field(Field),
}

impl Val {
    const fn taint(self) -> u8 {
        match self {
            Val::Unknown(t) => t,
            Val::Const(_) => 0,
            Val::Field(Field::Nr) => T_NR,
            Val::Field(Field::Arch) => T_ARCH,
            Val::Field(_) => T_OTHER,
        }
    }
}

/// What a path has established about `arch`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
enum Arch {
    /// Nothing (or only inequalities that did not fit).
    Any,
    /// It equals this value.
    Eq(u32),
    /// It differs from these values (sorted, `n` used).
    Ne([u32; 4], u8),
}

/// A set of u32 values: `lo..=hi` minus up to eight values inside it.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
struct Range {
    lo: u32,
    hi: u32,
    ne: [u32; 8],
    n: u8,
}

impl Range {
    const FULL: Range = Range {
        lo: 0,
        hi: u32::MAX,
        ne: [0; 8],
        n: 0,
    };

    const fn exact(v: u32) -> Range {
        Range {
            lo: v,
            hi: v,
            ne: [0; 8],
            n: 0,
        }
    }

    fn excluded(&self) -> &[u32] {
        self.ne.get(..usize::from(self.n)).unwrap_or(&[])
    }

    fn contains(&self, v: u32) -> bool {
        self.lo <= v && v <= self.hi && !self.excluded().contains(&v)
    }

    /// Drops excluded values at the ends and outside; `None` when empty.
    fn normalize(mut self) -> Option<Range> {
        loop {
            if self.lo > self.hi {
                return None;
            }
            if self.excluded().contains(&self.lo) {
                self.lo = self.lo.checked_add(1)?;
            } else if self.excluded().contains(&self.hi) {
                self.hi = self.hi.checked_sub(1)?;
            } else {
                break;
            }
        }
        let mut kept = [0u32; 8];
        let mut n = 0;
        for &v in self.excluded() {
            if self.lo < v && v < self.hi {
                if let Some(slot) = kept.get_mut(n) {
                    *slot = v;
                    n += 1;
                }
            }
        }
        kept[..n].sort_unstable();
        self.ne = kept;
        self.n = n as u8;
        Some(self)
    }

    /// The range restricted to `lo..=hi`.
    fn clamp(self, lo: u32, hi: u32) -> Option<Range> {
        Range {
            lo: self.lo.max(lo),
            hi: self.hi.min(hi),
            ..self
        }
        .normalize()
    }

    fn without(mut self, v: u32) -> Option<Range> {
        if !self.contains(v) {
            return Some(self);
        }
        if let Some(slot) = self.ne.get_mut(usize::from(self.n)) {
            *slot = v;
            self.n += 1;
        } else if v != self.lo && v != self.hi {
            // No room: forget the value (the set only grows, which is safe).
            return Some(self);
        }
        self.normalize()
    }

    /// The outcomes of `value OP k` over the set: the set where it holds
    /// and the set where it does not, `None` for an empty one.
    fn split(self, op: u16, k: u32) -> (Option<Range>, Option<Range>) {
        match op {
            JEQ => {
                let t = if self.contains(k) {
                    Some(Range::exact(k))
                } else {
                    None
                };
                (t, self.without(k))
            }
            JGT => {
                let t = k.checked_add(1).and_then(|k1| self.clamp(k1, u32::MAX));
                (t, self.clamp(0, k))
            }
            JGE => {
                let f = k.checked_sub(1).and_then(|k1| self.clamp(0, k1));
                (self.clamp(k, u32::MAX), f)
            }
            _ => {
                // JSET
                if k == 0 {
                    return (None, Some(self));
                }
                if self.lo == self.hi {
                    return if self.lo & k != 0 {
                        (Some(self), None)
                    } else {
                        (None, Some(self))
                    };
                }
                let low_bit = 1u32 << k.trailing_zeros();
                // k has every bit from its lowest set bit up: the test is
                // `value >= low_bit`.
                if k == !(low_bit - 1) {
                    return (self.clamp(low_bit, u32::MAX), self.clamp(0, low_bit - 1));
                }
                let t = if self.hi < low_bit { None } else { Some(self) };
                (t, Some(self))
            }
        }
    }
}

/// What one path has established.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
struct State {
    a: Val,
    x: Val,
    mem: [Val; 16],
    arch: Arch,
    nr: Range,
    /// The values A may hold when it is not `nr`, `arch` or a constant.
    a_range: Range,
    /// Whether this path's missing arch check is already reported.
    reported: bool,
}

impl State {
    const ENTRY: State = State {
        a: Val::Const(0),
        x: Val::Const(0),
        mem: [Val::Unknown(T_NR | T_ARCH | T_OTHER); 16],
        arch: Arch::Any,
        nr: Range::FULL,
        a_range: Range::exact(0),
        reported: false,
    };

    fn set_a(&mut self, v: Val) {
        self.a = v;
        self.a_range = match v {
            Val::Const(c) => Range::exact(c),
            _ => Range::FULL,
        };
    }

    /// The states after `A OP k` holds and after it fails (`None` when that
    /// outcome is impossible on this path).
    fn branch(&self, op: u16, k: u32) -> (Option<State>, Option<State>) {
        let with = |f: &dyn Fn(&mut State)| {
            let mut s = *self;
            f(&mut s);
            s
        };
        match self.a {
            Val::Field(Field::Nr) => {
                let (t, f) = self.nr.split(op, k);
                (
                    t.map(|r| with(&|s| s.nr = r)),
                    f.map(|r| with(&|s| s.nr = r)),
                )
            }
            Val::Field(Field::Arch) => match (self.arch, op) {
                (Arch::Eq(v), _) => {
                    if Range::exact(v).split(op, k).0.is_some() {
                        (Some(*self), None)
                    } else {
                        (None, Some(*self))
                    }
                }
                (Arch::Any, JEQ) => (
                    Some(with(&|s| s.arch = Arch::Eq(k))),
                    Some(with(&|s| s.arch = Arch::Ne([k, 0, 0, 0], 1))),
                ),
                (Arch::Ne(set, n), JEQ) => {
                    let listed = set.get(..usize::from(n)).unwrap_or(&[]);
                    if listed.contains(&k) {
                        return (None, Some(*self));
                    }
                    let t = Some(with(&|s| s.arch = Arch::Eq(k)));
                    let mut set = set;
                    let f = match set.get_mut(usize::from(n)) {
                        Some(slot) => {
                            *slot = k;
                            let m = usize::from(n) + 1;
                            set[..m].sort_unstable();
                            with(&|s| s.arch = Arch::Ne(set, n + 1))
                        }
                        None => *self,
                    };
                    (t, Some(f))
                }
                _ => (Some(*self), Some(*self)),
            },
            _ => {
                let (t, f) = self.a_range.split(op, k);
                (
                    t.map(|r| with(&|s| s.a_range = r)),
                    f.map(|r| with(&|s| s.a_range = r)),
                )
            }
        }
    }
}

/// What follows an instruction on one path (short-lived, on the stack).
#[allow(clippy::large_enum_variant)]
enum Next {
    To(usize, State),
    Branch {
        t: Option<(usize, State)>,
        f: Option<(usize, State)>,
    },
    End,
}

struct Auditor<'p> {
    prog: &'p [SockFilter],
    abis: &'p [Abi],
    order: ByteOrder,
    flags: [u8; MAX_INSNS],
    memo: [u64; MEMO],
    report: Report,
    visits: usize,
    incomplete: bool,
}

impl Auditor<'_> {
    fn flag(&self, pc: usize) -> u8 {
        self.flags.get(pc).copied().unwrap_or(0)
    }

    fn set(&mut self, pc: usize, bits: u8) {
        if let Some(f) = self.flags.get_mut(pc) {
            *f |= bits;
        }
    }

    /// Marks what the control flow reaches and where paths meet.
    fn structure(&mut self) {
        self.set(0, REACHABLE);
        for (pc, insn) in self.prog.iter().enumerate() {
            if self.flag(pc) & REACHABLE == 0 {
                continue;
            }
            let edge = |me: &mut Self, to: usize| {
                let f = me.flag(to);
                me.set(to, if f & ONE_PRED != 0 { MERGE } else { ONE_PRED });
                me.set(to, REACHABLE);
            };
            let c = insn.code;
            let next = pc + 1;
            match class(c) {
                RET => {}
                JMP if c == JMP | JA => edge(self, next + insn.k as usize),
                JMP => {
                    edge(self, next + usize::from(insn.jt));
                    if insn.jf != insn.jt {
                        edge(self, next + usize::from(insn.jf));
                    }
                }
                _ => edge(self, next),
            }
        }
    }

    /// Whether this state has been followed from `pc` before (and records
    /// it if not).
    fn seen(&mut self, pc: usize, state: &State) -> bool {
        let mut h = Fnv(0xcbf2_9ce4_8422_2325);
        pc.hash(&mut h);
        state.hash(&mut h);
        let key = h.finish() | 1;
        let mut i = (key as usize) & (MEMO - 1);
        for _ in 0..8 {
            match self.memo.get_mut(i) {
                Some(slot) if *slot == key => return true,
                Some(slot) if *slot == 0 => {
                    *slot = key;
                    return false;
                }
                _ => i = (i + 1) & (MEMO - 1),
            }
        }
        false
    }

    /// Follows every path from the entry.
    fn walk(&mut self) {
        let mut stack = [(0usize, State::ENTRY); DEPTH];
        let mut depth = 1;
        while depth > 0 {
            depth -= 1;
            let (mut pc, mut state) = stack[depth];
            loop {
                self.visits += 1;
                if self.visits > BUDGET {
                    self.incomplete = true;
                    return;
                }
                if self.flag(pc) & MERGE != 0 && self.seen(pc, &state) {
                    break;
                }
                self.set(pc, VISITED);
                match self.step(pc, &mut state) {
                    Next::To(to, s) => {
                        pc = to;
                        state = s;
                    }
                    Next::Branch { t, f } => match (t, f) {
                        (Some((tp, ts)), Some(other)) => {
                            match stack.get_mut(depth) {
                                Some(slot) => {
                                    *slot = other;
                                    depth += 1;
                                }
                                None => self.incomplete = true,
                            }
                            pc = tp;
                            state = ts;
                        }
                        (Some((p, s)), None) | (None, Some((p, s))) => {
                            pc = p;
                            state = s;
                        }
                        (None, None) => break,
                    },
                    Next::End => break,
                }
            }
        }
    }

    /// Runs one instruction on one path's state.
    fn step(&mut self, pc: usize, s: &mut State) -> Next {
        let Some(&insn) = self.prog.get(pc) else {
            return Next::End;
        };
        let (c, k) = (insn.code, insn.k);
        let next = pc + 1;
        match class(c) {
            LD => {
                let v = match mode(c) {
                    ABS => match Field::at(k, self.order) {
                        Some(f) => Val::Field(f),
                        None => Val::Unknown(T_OTHER),
                    },
                    LEN => Val::Const(64),
                    IMM => Val::Const(k),
                    _ => slot(s, k),
                };
                s.set_a(v);
            }
            LDX => {
                s.x = match mode(c) {
                    LEN => Val::Const(64),
                    IMM => Val::Const(k),
                    _ => slot(s, k),
                };
            }
            ST => {
                if let Some(m) = s.mem.get_mut(k as usize) {
                    *m = s.a;
                }
            }
            STX => {
                if let Some(m) = s.mem.get_mut(k as usize) {
                    *m = s.x;
                }
            }
            MISC => {
                if c == MISC | TAX {
                    s.x = s.a;
                } else {
                    s.set_a(s.x);
                }
            }
            ALU => {
                let operand = if source(c) == X { s.x } else { Val::Const(k) };
                if operation(c) == DIV && operand == Val::Const(0) {
                    // Division by X == 0 ends the program with 0.
                    self.ret(pc, s, Some(0));
                    return Next::End;
                }
                let v = alu(operation(c), s.a, operand);
                s.set_a(v);
                if let (Val::Unknown(_), Val::Const(m)) = (v, operand) {
                    s.a_range = match operation(c) {
                        AND => Range {
                            hi: m,
                            ..Range::FULL
                        },
                        RSH if m < 32 => Range {
                            hi: u32::MAX >> m,
                            ..Range::FULL
                        },
                        _ => Range::FULL,
                    };
                }
            }
            RET => {
                let value = if c == RET | A {
                    match s.a {
                        Val::Const(v) => Some(v),
                        _ => {
                            if s.a.taint() & T_NR != 0 {
                                self.nr_decision(pc, s);
                            }
                            None
                        }
                    }
                } else {
                    Some(k)
                };
                self.ret(pc, s, value);
                return Next::End;
            }
            _ => {
                // JMP
                if c == JMP | JA {
                    return Next::To(next + k as usize, *s);
                }
                let t_pc = next + usize::from(insn.jt);
                let f_pc = next + usize::from(insn.jf);
                let x_source = source(c) == X;
                let mut taint = s.a.taint();
                if x_source {
                    taint |= s.x.taint();
                }
                if taint & T_NR != 0 {
                    self.nr_decision(pc, s);
                }
                let k = match (x_source, s.x) {
                    (false, _) => Some(k),
                    (true, Val::Const(v)) => Some(v),
                    (true, _) => None,
                };
                let (t, f) = match k {
                    Some(k) => match s.a {
                        Val::Const(a) => {
                            let (t, f) = Range::exact(a).split(operation(c), k);
                            (t.map(|_| *s), f.map(|_| *s))
                        }
                        _ => s.branch(operation(c), k),
                    },
                    None => (Some(*s), Some(*s)),
                };
                if insn.jt != insn.jf {
                    let bit = match (t.is_some(), f.is_some()) {
                        (true, true) => OPEN,
                        (true, false) => ONLY_TRUE,
                        (false, true) => ONLY_FALSE,
                        (false, false) => 0,
                    };
                    self.set(pc, bit);
                }
                return Next::Branch {
                    t: t.map(|s| (t_pc, s)),
                    f: f.map(|s| (f_pc, s)),
                };
            }
        }
        Next::To(next, *s)
    }

    /// A decision on `nr`: the path must have checked `arch` by now.
    fn nr_decision(&mut self, pc: usize, s: &mut State) {
        if s.reported {
            return;
        }
        let detail = match s.arch {
            Arch::Eq(v) if self.abis.iter().any(|a| a.audit_arch() == v) => return,
            Arch::Eq(v) => Detail::ArchNotListed { arch: v },
            _ => Detail::ArchUnchecked,
        };
        s.reported = true;
        self.report.add(pc, detail);
    }

    /// A return on one path.
    fn ret(&mut self, pc: usize, s: &State, value: Option<u32>) {
        let Some(ret) = value else { return };
        let action = Action::from_ret(ret);
        let runs = matches!(
            action,
            Action::Allow | Action::Log | Action::Trace(_) | Action::UserNotif
        );
        let x86_64 = Abi::X86_64.audit_arch();
        if runs && !self.abis.contains(&Abi::X32) && self.arch_possible(s, x86_64) {
            if let Some(nr) = first_in(&s.nr, X32_FIRST, X32_LAST, |_| false) {
                self.report.add(pc, Detail::X32 { ret, nr });
            }
        }
        let eperm = action == Action::Errno(EPERM);
        if action != Action::Allow && !eperm {
            return;
        }
        for &abi in self.abis {
            let arch = abi.audit_arch();
            if !self.arch_possible(s, arch) {
                continue;
            }
            let (lo, hi) = match abi {
                Abi::X86_64 => (0, X32_FIRST - 1),
                Abi::X32 => (X32_FIRST, u32::MAX),
                _ => (0, u32::MAX),
            };
            let unknown = first_in(
                &s.nr,
                lo,
                hi,
                |n| matches!(abi_of(arch, n), Some(a) if Syscall::from_nr(a, n).is_some()),
            );
            if let Some(nr) = unknown {
                let detail = if eperm {
                    Detail::EpermDefault { abi, nr }
                } else {
                    Detail::DefaultAllow { abi, nr }
                };
                self.report.add(pc, detail);
                return;
            }
        }
    }

    /// Whether the path's `arch` may be `arch`.
    fn arch_possible(&self, s: &State, arch: u32) -> bool {
        match s.arch {
            Arch::Any => true,
            Arch::Eq(v) => v == arch,
            Arch::Ne(set, n) => !set.get(..usize::from(n)).unwrap_or(&[]).contains(&arch),
        }
    }

    /// The findings that need the whole walk.
    fn finish(&mut self) {
        // First, so that a full report still says it.
        if self.incomplete {
            self.report.add(0, Detail::Incomplete);
        }
        let len = self.prog.len();
        let mut pc = 0;
        while pc < len {
            if self.flag(pc) & REACHABLE == 0 {
                let first = pc;
                while pc + 1 < len && self.flag(pc + 1) & REACHABLE == 0 {
                    pc += 1;
                }
                self.report.add(first, Detail::Unreachable { last: pc });
            }
            pc += 1;
        }
        for (pc, insn) in self.prog.iter().enumerate() {
            let f = self.flag(pc);
            if class(insn.code) != JMP || insn.code == JMP | JA || f & VISITED == 0 {
                continue;
            }
            let next = pc + 1;
            if insn.jt == insn.jf {
                let target = next + usize::from(insn.jt);
                self.report.add(pc, Detail::SameTarget { target });
                continue;
            }
            if self.incomplete || f & OPEN != 0 {
                continue;
            }
            let outcome = match (f & ONLY_TRUE != 0, f & ONLY_FALSE != 0) {
                (true, false) => true,
                (false, true) => false,
                _ => continue,
            };
            let skipped = next + usize::from(if outcome { insn.jf } else { insn.jt });
            self.report
                .add(pc, Detail::AlwaysTaken { outcome, skipped });
        }
        self.report.sort();
    }
}

/// A scratch slot's content.
fn slot(s: &State, k: u32) -> Val {
    s.mem
        .get(k as usize)
        .copied()
        .unwrap_or(Val::Unknown(T_NR | T_ARCH | T_OTHER))
}

/// The value of an ALU operation.
fn alu(op: u16, a: Val, b: Val) -> Val {
    match (a, b) {
        (Val::Const(x), Val::Const(y)) => Val::Const(match op {
            ADD => x.wrapping_add(y),
            SUB => x.wrapping_sub(y),
            MUL => x.wrapping_mul(y),
            DIV => x.checked_div(y).unwrap_or(0),
            OR => x | y,
            AND => x & y,
            LSH => x.wrapping_shl(y & 31),
            RSH => x.wrapping_shr(y & 31),
            XOR => x ^ y,
            _ => x.wrapping_neg(),
        }),
        (_, Val::Const(0)) if matches!(op, AND | MUL) => Val::Const(0),
        _ => Val::Unknown(a.taint() | if op == NEG { 0 } else { b.taint() }),
    }
}

/// The first value of `range` within `lo..=hi` for which `skip` is false.
fn first_in(range: &Range, lo: u32, hi: u32, skip: impl Fn(u32) -> bool) -> Option<u32> {
    let r = range.clamp(lo, hi)?;
    // Tables hold a few hundred numbers, so a gap comes soon; the bound
    // only keeps a pathological case short.
    (r.lo..=r.hi)
        .take(4096)
        .find(|&n| r.contains(n) && !skip(n))
}

/// FNV-1a, for the table of followed states.
struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The module docs promise about 75 KiB of stack.
    #[test]
    fn work_space_size() {
        let auditor = core::mem::size_of::<Auditor<'_>>();
        let stack = DEPTH * core::mem::size_of::<(usize, State)>();
        std::println!("auditor {auditor} bytes, path stack {stack} bytes");
        assert!(auditor + stack <= 96 * 1024, "{}", auditor + stack);
        assert!(auditor + stack >= 64 * 1024, "{}", auditor + stack);
    }

    #[test]
    fn range_splits() {
        let r = Range::FULL;
        let (t, f) = r.split(JGE, 10);
        assert_eq!((t.map(|r| r.lo), f.map(|r| r.hi)), (Some(10), Some(9)));
        let (t, f) = r.split(JGT, u32::MAX);
        assert!(t.is_none() && f.is_some());
        let (t, f) = r.split(JSET, 0xc000_0000);
        assert_eq!(t.map(|r| (r.lo, r.hi)), Some((0x4000_0000, u32::MAX)));
        assert_eq!(f.map(|r| (r.lo, r.hi)), Some((0, 0x3fff_ffff)));
        let small = Range {
            hi: 7,
            ..Range::FULL
        };
        assert!(small.split(JSET, 8).0.is_none());
        let (t, f) = Range::exact(5).split(JEQ, 5);
        assert!(t.is_some() && f.is_none());
        // Excluding the ends moves them.
        let r = Range {
            lo: 3,
            hi: 6,
            ..Range::FULL
        };
        let r = r.without(3).and_then(|r| r.without(5)).unwrap();
        assert_eq!((r.lo, r.hi, r.excluded()), (4, 6, &[5][..]));
        assert!(r.without(4).and_then(|r| r.without(6)).is_none());
    }
}
