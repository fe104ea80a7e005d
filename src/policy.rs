//! Policies: what a filter should decide, written as data, and the reference
//! evaluator that says what a policy decides for one call without any BPF.
//!
//! A [`Policy`] has a default action, a bad-arch action (for calls through an
//! ABI it does not list), one or more [`Abi`]s and a list of [`Rule`]s. A rule
//! names a system call ([`Target`]), zero or more [`Cond`]itions on its
//! arguments (all must hold) and an [`Action`].
//!
//! # How a call is decided
//!
//! 1. The ABI is the one `seccomp_data`'s `(arch, nr)` designate (x32 calls
//!    carry [`X32_SYSCALL_BIT`] in `nr` and
//!    share x86_64's audit arch). An ABI the policy does not list gets the
//!    bad-arch action ([`Action::KillProcess`] unless set otherwise).
//! 2. Every rule whose target is this number on this ABI and whose
//!    conditions all hold *matches*.
//! 3. Of the matching rules, the one whose action comes first in the
//!    kernel's precedence order wins (`KILL_PROCESS > KILL_THREAD > TRAP >
//!    ERRNO > USER_NOTIF > TRACE > LOG > ALLOW`, [`Action::precedes`]).
//!    Between matching rules of the same action kind with different data
//!    (`ERRNO(1)` and `ERRNO(2)`), **the rule written first wins**.
//! 4. No rule matches: the default action.
//! 5. In log mode ([`Policy::log_mode`]) the result, when it is not
//!    [`Action::Allow`], becomes [`Action::Log`]; the bad-arch action is
//!    kept.
//!
//! # Log mode
//!
//! A log-mode policy enforces nothing but its ABIs: the kernel runs every
//! call that would have been refused and records it through the audit
//! subsystem, when `/proc/sys/kernel/seccomp/actions_logged` lists `log`.
//! With an audit daemon the records are `type=SECCOMP` lines of its log;
//! without one they go to the kernel log (`dmesg`) as `audit: type=1326 ...
//! pid=.. comm=".." exe=".." sig=0 arch=c000003e syscall=110 compat=0
//! ip=0x.. code=0x7ffc0000`: the process, the audit arch and number of the
//! call (`syscall`, as `seccomp_data.nr`), whether it was a 32-bit call on a
//! 64-bit kernel (`compat`), the address after the system-call instruction
//! (`ip`) and the filter's return value (`code`, LOG). The README's "Log
//! mode" section has the whole table; [`Policy::explain`] says which rule
//! refused a logged call.
//!
//! A rule whose system call one of the ABIs lacks is skipped for that ABI,
//! or is an error with [`OnMissing::Error`].
//!
//! # Argument widths
//!
//! A filter reads each argument as two 32-bit words. [`Width::Full64`]
//! compares the whole register; [`Width::Low32`] compares only the low
//! halves of the argument and of the constants, which is what an `int` or
//! `unsigned int` argument needs: the kernel ignores the upper half of such
//! a register, a filter does not, and userspace may leave garbage there or
//! sign-extend. On a 32-bit ABI ([`Abi::word_bits`] 32) the kernel fills the
//! upper half with zero, so only the low 32 bits count, and a constant that
//! does not fit in 32 bits is an error ([`CompileError::ConstantTooWide`]),
//! never silently cut. So is a [`Width::Low32`] constant above `u32::MAX`.
//!
//! ```
//! use seccomp_bpf::policy::{Cond, Policy, Rule};
//! use seccomp_bpf::{Abi, Action, Syscall};
//!
//! const RULES: [Rule; 3] = [
//!     Rule::new(Syscall::read, Action::Allow),
//!     Rule::when(Syscall::socket, &[Cond::eq(0, 16)], Action::Errno(22)),
//!     Rule::new(Syscall::socket, Action::Allow),
//! ];
//! const POLICY: Policy = Policy::new(Action::Errno(38), &[Abi::X86_64], &RULES);
//!
//! let socket = Syscall::socket.nr(Abi::X86_64).unwrap();
//! assert_eq!(POLICY.evaluate(Abi::X86_64, socket, &[16, 3, 0, 0, 0, 0]), Ok(Action::Errno(22)));
//! assert_eq!(POLICY.evaluate(Abi::X86_64, socket, &[2, 1, 0, 0, 0, 0]), Ok(Action::Allow));
//! assert_eq!(POLICY.evaluate(Abi::X86_64, 10_000, &[0; 6]), Ok(Action::Errno(38)));
//! assert_eq!(POLICY.evaluate(Abi::X86, 3, &[0; 6]), Ok(Action::KillProcess));
//! ```

use crate::abi::{Abi, X32_SYSCALL_BIT};
use crate::action::Action;
use crate::compile::CompileError;
use crate::data::SeccompData;
use crate::syscall::Syscall;

/// Evaluates a `Result` in a `const fn`, returning its error (`?` is not
/// usable in const context).
macro_rules! tri {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(e) => return Err(e),
        }
    };
}
pub(crate) use tri;

/// How much of an argument register a condition compares.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Width {
    /// Only the low 32 bits of the argument and of the constants (for
    /// `int` and `unsigned int` arguments).
    Low32,
    /// The whole register (on a 32-bit ABI that is the low 32 bits: the
    /// kernel zero-fills the rest).
    Full64,
}

/// A comparison of one argument with constants. All comparisons are
/// unsigned.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Cmp<'a> {
    /// `arg == v`.
    Eq(u64),
    /// `arg != v`.
    Ne(u64),
    /// `arg < v`.
    Lt(u64),
    /// `arg <= v`.
    Le(u64),
    /// `arg > v`.
    Gt(u64),
    /// `arg >= v`.
    Ge(u64),
    /// `arg & mask == value` (never holds if `value` has bits outside `mask`).
    MaskedEq {
        /// The bits compared.
        mask: u64,
        /// What they must be.
        value: u64,
    },
    /// `lo <= arg && arg <= hi` (never holds if `lo > hi`).
    InRange {
        /// Smallest value in the range.
        lo: u64,
        /// Largest value in the range.
        hi: u64,
    },
    /// `arg` is one of the values (never holds for an empty set).
    AnyOf(&'a [u64]),
    /// Every bit of the constant is set in `arg` (`arg & bits == bits`).
    AllSet(u64),
    /// No bit of the constant is set in `arg` (`arg & bits == 0`).
    NoneSet(u64),
}

/// A condition on one argument of a call.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Cond<'a> {
    /// The argument index, 0..=5.
    pub arg: u8,
    /// How much of the register is compared.
    pub width: Width,
    /// The comparison.
    pub cmp: Cmp<'a>,
}

impl<'a> Cond<'a> {
    /// A condition `cmp` on argument `arg`, comparing the whole register.
    pub const fn new(arg: u8, cmp: Cmp<'a>) -> Self {
        Cond {
            arg,
            width: Width::Full64,
            cmp,
        }
    }
    /// `args[arg] == v`.
    pub const fn eq(arg: u8, v: u64) -> Self {
        Cond::new(arg, Cmp::Eq(v))
    }
    /// `args[arg] != v`.
    pub const fn ne(arg: u8, v: u64) -> Self {
        Cond::new(arg, Cmp::Ne(v))
    }
    /// `args[arg] < v` (unsigned).
    pub const fn lt(arg: u8, v: u64) -> Self {
        Cond::new(arg, Cmp::Lt(v))
    }
    /// `args[arg] <= v` (unsigned).
    pub const fn le(arg: u8, v: u64) -> Self {
        Cond::new(arg, Cmp::Le(v))
    }
    /// `args[arg] > v` (unsigned).
    pub const fn gt(arg: u8, v: u64) -> Self {
        Cond::new(arg, Cmp::Gt(v))
    }
    /// `args[arg] >= v` (unsigned).
    pub const fn ge(arg: u8, v: u64) -> Self {
        Cond::new(arg, Cmp::Ge(v))
    }
    /// `args[arg] & mask == value`.
    pub const fn masked_eq(arg: u8, mask: u64, value: u64) -> Self {
        Cond::new(arg, Cmp::MaskedEq { mask, value })
    }
    /// `lo <= args[arg] <= hi` (unsigned).
    pub const fn in_range(arg: u8, lo: u64, hi: u64) -> Self {
        Cond::new(arg, Cmp::InRange { lo, hi })
    }
    /// `args[arg]` is one of `values`.
    pub const fn any_of(arg: u8, values: &'a [u64]) -> Self {
        Cond::new(arg, Cmp::AnyOf(values))
    }
    /// Every bit of `bits` is set in `args[arg]`.
    pub const fn all_set(arg: u8, bits: u64) -> Self {
        Cond::new(arg, Cmp::AllSet(bits))
    }
    /// No bit of `bits` is set in `args[arg]`.
    pub const fn none_set(arg: u8, bits: u64) -> Self {
        Cond::new(arg, Cmp::NoneSet(bits))
    }
    /// The same condition on the low 32 bits only ([`Width::Low32`]).
    pub const fn low32(self) -> Self {
        Cond {
            width: Width::Low32,
            ..self
        }
    }
    /// The same condition on the whole register ([`Width::Full64`]).
    pub const fn full64(self) -> Self {
        Cond {
            width: Width::Full64,
            ..self
        }
    }

    /// Whether the comparison compares only 32 bits on an ABI with
    /// registers of `word_bits` bits.
    pub const fn is_narrow(&self, word_bits: u32) -> bool {
        matches!(self.width, Width::Low32) || word_bits < 64
    }

    /// Checks the condition for an ABI with registers of `word_bits` bits:
    /// the argument index, and that a narrow comparison has no constant
    /// above `u32::MAX`.
    ///
    /// # Errors
    ///
    /// [`CompileError::ArgIndex`] or [`CompileError::ConstantTooWide`],
    /// with `rule` as the rule index.
    pub const fn check(&self, rule: usize, abi: Abi) -> Result<(), CompileError> {
        if self.arg > 5 {
            return Err(CompileError::ArgIndex {
                rule,
                arg: self.arg,
            });
        }
        if !self.is_narrow(abi.word_bits()) {
            return Ok(());
        }
        let abi = match self.width {
            Width::Low32 => None,
            Width::Full64 => Some(abi),
        };
        let wide = match self.cmp {
            Cmp::Eq(v)
            | Cmp::Ne(v)
            | Cmp::Lt(v)
            | Cmp::Le(v)
            | Cmp::Gt(v)
            | Cmp::Ge(v)
            | Cmp::AllSet(v)
            | Cmp::NoneSet(v) => v > u32::MAX as u64,
            Cmp::MaskedEq { mask, value } => (mask | value) > u32::MAX as u64,
            Cmp::InRange { lo, hi } => (lo | hi) > u32::MAX as u64,
            Cmp::AnyOf(vs) => {
                let mut i = 0;
                let mut wide = false;
                while i < vs.len() {
                    if vs[i] > u32::MAX as u64 {
                        wide = true;
                    }
                    i += 1;
                }
                wide
            }
        };
        if wide {
            Err(CompileError::ConstantTooWide { rule, abi })
        } else {
            Ok(())
        }
    }

    /// Whether the condition holds for the arguments `args` of a call
    /// through an ABI with registers of `word_bits` bits (the condition is
    /// assumed valid, see [`Cond::check`]).
    pub const fn holds(&self, args: &[u64; 6], word_bits: u32) -> bool {
        if self.arg > 5 {
            return false;
        }
        let a = args[self.arg as usize];
        let a = if self.is_narrow(word_bits) {
            a & 0xffff_ffff
        } else {
            a
        };
        match self.cmp {
            Cmp::Eq(v) => a == v,
            Cmp::Ne(v) => a != v,
            Cmp::Lt(v) => a < v,
            Cmp::Le(v) => a <= v,
            Cmp::Gt(v) => a > v,
            Cmp::Ge(v) => a >= v,
            Cmp::MaskedEq { mask, value } => a & mask == value,
            Cmp::InRange { lo, hi } => lo <= a && a <= hi,
            Cmp::AnyOf(vs) => {
                let mut i = 0;
                while i < vs.len() {
                    if vs[i] == a {
                        return true;
                    }
                    i += 1;
                }
                false
            }
            Cmp::AllSet(bits) => a & bits == bits,
            Cmp::NoneSet(bits) => a & bits == 0,
        }
    }

    /// Whether two conditions are the same (a `const` `==`).
    pub const fn same(&self, other: &Cond<'_>) -> bool {
        if self.arg != other.arg || self.width as u8 != other.width as u8 {
            return false;
        }
        match (self.cmp, other.cmp) {
            (Cmp::Eq(a), Cmp::Eq(b))
            | (Cmp::Ne(a), Cmp::Ne(b))
            | (Cmp::Lt(a), Cmp::Lt(b))
            | (Cmp::Le(a), Cmp::Le(b))
            | (Cmp::Gt(a), Cmp::Gt(b))
            | (Cmp::Ge(a), Cmp::Ge(b))
            | (Cmp::AllSet(a), Cmp::AllSet(b))
            | (Cmp::NoneSet(a), Cmp::NoneSet(b)) => a == b,
            (
                Cmp::MaskedEq {
                    mask: m1,
                    value: v1,
                },
                Cmp::MaskedEq {
                    mask: m2,
                    value: v2,
                },
            ) => m1 == m2 && v1 == v2,
            (Cmp::InRange { lo: l1, hi: h1 }, Cmp::InRange { lo: l2, hi: h2 }) => {
                l1 == l2 && h1 == h2
            }
            (Cmp::AnyOf(a), Cmp::AnyOf(b)) => {
                if a.len() != b.len() {
                    return false;
                }
                let mut i = 0;
                while i < a.len() {
                    if a[i] != b[i] {
                        return false;
                    }
                    i += 1;
                }
                true
            }
            _ => false,
        }
    }
}

/// What a rule applies to.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Target<'a> {
    /// A system call, on every ABI of the policy that has it.
    Syscall(Syscall),
    /// A system call by its kernel name (`"openat"`), resolved per ABI.
    /// A name no ABI knows is an error ([`CompileError::UnknownSyscall`]).
    Name(&'a str),
    /// A raw number on one ABI, as `seccomp_data.nr` carries it (x32's
    /// numbers with their bit, MIPS numbers with their base).
    Nr {
        /// The ABI the number belongs to; it must be one of the policy's.
        abi: Abi,
        /// The number.
        nr: u32,
    },
}

/// A rule: a call, conditions on its arguments that must all hold, and the
/// action the call gets when they do.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Rule<'a> {
    /// The call.
    pub target: Target<'a>,
    /// The conditions, all of which must hold (none: the rule always
    /// matches its call).
    pub conds: &'a [Cond<'a>],
    /// The action.
    pub action: Action,
}

impl<'a> Rule<'a> {
    /// `call` gets `action`, whatever its arguments.
    pub const fn new(call: Syscall, action: Action) -> Self {
        Rule {
            target: Target::Syscall(call),
            conds: &[],
            action,
        }
    }
    /// `call` gets `action` when all `conds` hold.
    pub const fn when(call: Syscall, conds: &'a [Cond<'a>], action: Action) -> Self {
        Rule {
            target: Target::Syscall(call),
            conds,
            action,
        }
    }
    /// The call named `name` gets `action` (resolved per ABI).
    pub const fn named(name: &'a str, action: Action) -> Self {
        Rule {
            target: Target::Name(name),
            conds: &[],
            action,
        }
    }
    /// Number `nr` of `abi` gets `action`.
    pub const fn raw(abi: Abi, nr: u32, action: Action) -> Self {
        Rule {
            target: Target::Nr { abi, nr },
            conds: &[],
            action,
        }
    }
    /// The same rule with the conditions `conds` (replacing any others).
    pub const fn with_conds(self, conds: &'a [Cond<'a>]) -> Self {
        Rule { conds, ..self }
    }

    /// The number this rule's target has on `abi`, if it applies there.
    ///
    /// # Errors
    ///
    /// [`CompileError::UnknownSyscall`] for a name no ABI knows,
    /// [`CompileError::NrOutOfAbi`] for a raw number that cannot belong to
    /// its ABI (an x32 number without the x32 bit, an x86_64 number with
    /// it).
    pub const fn nr_on(&self, index: usize, abi: Abi) -> Result<Option<u32>, CompileError> {
        match self.target {
            Target::Syscall(s) => Ok(s.nr(abi)),
            Target::Name(name) => match Syscall::from_name(name) {
                Some(s) => Ok(s.nr(abi)),
                None => Err(CompileError::UnknownSyscall { rule: index }),
            },
            Target::Nr { abi: a, nr } => {
                let x32_bit = nr & X32_SYSCALL_BIT != 0;
                if (matches!(a, Abi::X32) && !x32_bit) || (matches!(a, Abi::X86_64) && x32_bit) {
                    return Err(CompileError::NrOutOfAbi {
                        rule: index,
                        abi: a,
                    });
                }
                if a as u8 == abi as u8 {
                    Ok(Some(nr))
                } else {
                    Ok(None)
                }
            }
        }
    }
}

/// What to do with a rule whose call one of the policy's ABIs lacks.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum OnMissing {
    /// Skip the rule on that ABI (the default).
    Skip,
    /// Fail with [`CompileError::MissingSyscall`].
    Error,
}

/// Why a call got its action (see [`Policy::verdict`]).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Reason {
    /// The call came through an ABI the policy does not list.
    BadArch,
    /// The rule with this index decided.
    Rule(usize),
    /// No rule matched.
    Default,
}

/// The action a policy gives a call, and why.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Verdict {
    /// The action, log mode applied.
    pub action: Action,
    /// What decided it.
    pub reason: Reason,
    /// The ABI the call came through, when the policy lists it.
    pub abi: Option<Abi>,
}

/// A complete policy. Build one with [`Policy::new`] and the `const fn`
/// setters; compile it with [`crate::compile()`].
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Policy<'a> {
    default: Action,
    bad_arch: Action,
    abis: &'a [Abi],
    rules: &'a [Rule<'a>],
    missing: OnMissing,
    log_mode: bool,
}

impl<'a> Policy<'a> {
    /// A policy over `abis` whose calls get `default` unless a rule of
    /// `rules` says otherwise; calls through other ABIs get
    /// [`Action::KillProcess`].
    pub const fn new(default: Action, abis: &'a [Abi], rules: &'a [Rule<'a>]) -> Self {
        Policy {
            default,
            bad_arch: Action::KillProcess,
            abis,
            rules,
            missing: OnMissing::Skip,
            log_mode: false,
        }
    }
    /// Sets the action for calls through an ABI the policy does not list.
    pub const fn bad_arch(self, action: Action) -> Self {
        Policy {
            bad_arch: action,
            ..self
        }
    }
    /// Sets log mode: every action but [`Action::Allow`] becomes
    /// [`Action::Log`], except the bad-arch action.
    pub const fn log_mode(self, on: bool) -> Self {
        Policy {
            log_mode: on,
            ..self
        }
    }
    /// Sets what a rule whose call an ABI lacks does.
    pub const fn on_missing(self, missing: OnMissing) -> Self {
        Policy { missing, ..self }
    }
    /// The same policy over other ABIs.
    pub const fn with_abis(self, abis: &'a [Abi]) -> Self {
        Policy { abis, ..self }
    }

    /// The default action (as written, before log mode).
    pub const fn default_action(&self) -> Action {
        self.default
    }
    /// The bad-arch action.
    pub const fn bad_arch_action(&self) -> Action {
        self.bad_arch
    }
    /// The ABIs, in the order given.
    pub const fn abis(&self) -> &'a [Abi] {
        self.abis
    }
    /// The rules, in the order given.
    pub const fn rules(&self) -> &'a [Rule<'a>] {
        self.rules
    }
    /// What a rule whose call an ABI lacks does.
    pub const fn missing(&self) -> OnMissing {
        self.missing
    }
    /// Whether log mode is on.
    pub const fn is_log_mode(&self) -> bool {
        self.log_mode
    }

    /// Whether `abi` is one of the policy's ABIs.
    pub const fn has_abi(&self, abi: Abi) -> bool {
        let mut i = 0;
        while i < self.abis.len() {
            if self.abis[i] as u8 == abi as u8 {
                return true;
            }
            i += 1;
        }
        false
    }

    /// An action as the policy returns it: log mode applied.
    pub const fn effective(&self, action: Action) -> Action {
        if self.log_mode && !matches!(action, Action::Allow) {
            Action::Log
        } else {
            action
        }
    }

    /// Checks what does not depend on one ABI: at least one ABI, none
    /// listed twice, and valid default and bad-arch actions.
    ///
    /// # Errors
    ///
    /// [`CompileError::NoAbi`], [`CompileError::DuplicateAbi`],
    /// [`CompileError::InvalidAction`] or [`CompileError::ErrnoRange`].
    pub const fn check_header(&self) -> Result<(), CompileError> {
        if self.abis.is_empty() {
            return Err(CompileError::NoAbi);
        }
        let mut i = 0;
        while i < self.abis.len() {
            let mut j = 0;
            while j < i {
                if self.abis[i] as u8 == self.abis[j] as u8 {
                    return Err(CompileError::DuplicateAbi { abi: self.abis[i] });
                }
                j += 1;
            }
            i += 1;
        }
        tri!(check_action(self.default, None));
        check_action(self.bad_arch, None)
    }

    /// Checks rule `index` for `abi` and returns the number it applies to
    /// there, if any.
    ///
    /// # Errors
    ///
    /// Any rule error of [`CompileError`].
    pub const fn check_rule(&self, index: usize, abi: Abi) -> Result<Option<u32>, CompileError> {
        if index >= self.rules.len() {
            return Ok(None);
        }
        let rule = &self.rules[index];
        tri!(check_action(rule.action, Some(index)));
        if let Target::Nr { abi: a, .. } = rule.target {
            if !self.has_abi(a) {
                return Err(CompileError::NrAbiNotInPolicy {
                    rule: index,
                    abi: a,
                });
            }
        }
        let nr = tri!(rule.nr_on(index, abi));
        if nr.is_none() {
            if matches!(self.missing, OnMissing::Error) && !matches!(rule.target, Target::Nr { .. })
            {
                return Err(CompileError::MissingSyscall { rule: index, abi });
            }
            return Ok(None);
        }
        let mut c = 0;
        while c < rule.conds.len() {
            tri!(rule.conds[c].check(index, abi));
            c += 1;
        }
        Ok(nr)
    }

    /// Checks the whole policy for every one of its ABIs.
    ///
    /// # Errors
    ///
    /// The first problem found, as a [`CompileError`].
    pub const fn check(&self) -> Result<(), CompileError> {
        tri!(self.check_header());
        let mut a = 0;
        while a < self.abis.len() {
            let mut r = 0;
            while r < self.rules.len() {
                tri!(self.check_rule(r, self.abis[a]));
                r += 1;
            }
            a += 1;
        }
        Ok(())
    }

    /// What the policy says for a call `nr` with arguments `args` through
    /// `abi`, with `nr` as `seccomp_data.nr` carries it. The ABI is the one
    /// `(abi.audit_arch(), nr)` designates, as for a filter: an x86_64
    /// number with the x32 bit is an x32 call.
    ///
    /// # Errors
    ///
    /// The policy's first problem ([`Policy::check`]).
    pub const fn evaluate(
        &self,
        abi: Abi,
        nr: u32,
        args: &[u64; 6],
    ) -> Result<Action, CompileError> {
        match self.verdict(abi, nr, args) {
            Ok(v) => Ok(v.action),
            Err(e) => Err(e),
        }
    }

    /// [`Policy::evaluate`] for a whole `seccomp_data`.
    ///
    /// # Errors
    ///
    /// As [`Policy::evaluate`].
    pub const fn evaluate_data(&self, data: &SeccompData) -> Result<Action, CompileError> {
        match self.verdict_data(data) {
            Ok(v) => Ok(v.action),
            Err(e) => Err(e),
        }
    }

    /// [`Policy::evaluate`], saying which rule decided.
    ///
    /// # Errors
    ///
    /// As [`Policy::evaluate`].
    pub const fn verdict(
        &self,
        abi: Abi,
        nr: u32,
        args: &[u64; 6],
    ) -> Result<Verdict, CompileError> {
        self.verdict_data(&SeccompData::new(nr as i32, abi.audit_arch(), *args))
    }

    /// [`Policy::verdict`] with the reasons: every rule on the call, the
    /// outcome of each condition, the rules that matched but lost on
    /// precedence (see [`Explanation`]).
    ///
    /// # Errors
    ///
    /// As [`Policy::evaluate`].
    pub const fn explain<'p>(
        &'p self,
        abi: Abi,
        nr: u32,
        args: &[u64; 6],
    ) -> Result<Explanation<'p, 'a>, CompileError> {
        let verdict = tri!(self.verdict(abi, nr, args));
        Ok(Explanation {
            policy: self,
            nr,
            args: *args,
            verdict,
        })
    }

    /// [`Policy::verdict`] for a whole `seccomp_data`.
    ///
    /// # Errors
    ///
    /// As [`Policy::evaluate`].
    pub const fn verdict_data(&self, data: &SeccompData) -> Result<Verdict, CompileError> {
        tri!(self.check());
        let nr = data.nr as u32;
        let abi = match abi_of(data.arch, nr) {
            Some(abi) if self.has_abi(abi) => abi,
            _ => {
                return Ok(Verdict {
                    action: self.bad_arch,
                    reason: Reason::BadArch,
                    abi: None,
                });
            }
        };
        let bits = abi.word_bits();
        let mut best: Option<usize> = None;
        let mut r = 0;
        while r < self.rules.len() {
            let rule = &self.rules[r];
            let applies = match tri!(rule.nr_on(r, abi)) {
                Some(n) => n == nr,
                None => false,
            };
            if applies && conds_hold(rule.conds, &data.args, bits) {
                best = match best {
                    Some(b) if !rule.action.precedes(self.rules[b].action) => Some(b),
                    _ => Some(r),
                };
            }
            r += 1;
        }
        Ok(match best {
            Some(b) => Verdict {
                action: self.effective(self.rules[b].action),
                reason: Reason::Rule(b),
                abi: Some(abi),
            },
            None => Verdict {
                action: self.effective(self.default),
                reason: Reason::Default,
                abi: Some(abi),
            },
        })
    }
}

/// Why each rule on a call did or did not decide it: the answer of
/// [`Policy::explain`].
///
/// [`Explanation::verdict`] is what [`Policy::verdict`] says;
/// [`Explanation::rules`] walks, in policy order, every rule whose target is
/// the call's number on its ABI, with the outcome of each of its
/// conditions. Nothing is allocated: the iterators re-evaluate the rules.
///
/// ```
/// use seccomp_bpf::policy::{Cond, Policy, Reason, Rule, RuleStatus};
/// use seccomp_bpf::{Abi, Action, Syscall};
///
/// const RULES: [Rule; 3] = [
///     Rule::when(Syscall::socket, &[Cond::eq(0, 16)], Action::Errno(22)),
///     Rule::new(Syscall::socket, Action::Allow),
///     Rule::new(Syscall::read, Action::Allow),
/// ];
/// const POLICY: Policy = Policy::new(Action::Errno(38), &[Abi::X86_64], &RULES);
///
/// let socket = Syscall::socket.nr(Abi::X86_64).unwrap();
/// let why = POLICY.explain(Abi::X86_64, socket, &[16, 3, 0, 0, 0, 0]).unwrap();
/// assert_eq!(why.verdict().action, Action::Errno(22));
/// assert_eq!(why.verdict().reason, Reason::Rule(0));
/// let rules: Vec<_> = why.rules().collect();
/// assert_eq!(rules.len(), 2); // the read rule is not on this call
/// assert_eq!(rules[0].status, RuleStatus::Decided);
/// let c = rules[0].conds().next().unwrap();
/// assert!(c.held && c.value == 16);
/// // The ALLOW rule matched too, but ERRNO precedes ALLOW.
/// assert_eq!(rules[1].status, RuleStatus::Outranked { by: 0 });
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Explanation<'p, 'a> {
    policy: &'p Policy<'a>,
    nr: u32,
    args: [u64; 6],
    verdict: Verdict,
}

impl<'p, 'a> Explanation<'p, 'a> {
    /// The action and what decided it, as [`Policy::verdict`] says.
    pub const fn verdict(&self) -> Verdict {
        self.verdict
    }

    /// The rules on the call, in policy order, each with its outcome. Empty
    /// for a call through an ABI the policy does not list.
    pub fn rules(&self) -> RuleOutcomes<'p, 'a> {
        RuleOutcomes {
            policy: self.policy,
            nr: self.nr,
            args: self.args,
            verdict: self.verdict,
            next: 0,
        }
    }
}

/// The rules on one call, with their outcomes ([`Explanation::rules`]).
#[derive(Clone, Debug)]
pub struct RuleOutcomes<'p, 'a> {
    policy: &'p Policy<'a>,
    nr: u32,
    args: [u64; 6],
    verdict: Verdict,
    next: usize,
}

impl<'a> Iterator for RuleOutcomes<'_, 'a> {
    type Item = RuleOutcome<'a>;

    fn next(&mut self) -> Option<RuleOutcome<'a>> {
        let abi = self.verdict.abi?;
        let rules = self.policy.rules;
        while let Some(rule) = rules.get(self.next) {
            let index = self.next;
            self.next += 1;
            // The policy passed its check when the verdict was made, so
            // `nr_on` cannot fail here; an error counts as "not on it".
            if !matches!(rule.nr_on(index, abi), Ok(Some(n)) if n == self.nr) {
                continue;
            }
            let bits = abi.word_bits();
            let status = if self.verdict.reason == Reason::Rule(index) {
                RuleStatus::Decided
            } else if !conds_hold(rule.conds, &self.args, bits) {
                RuleStatus::Unmatched
            } else if let Reason::Rule(by) = self.verdict.reason {
                RuleStatus::Outranked { by }
            } else {
                // A matching rule always yields a rule verdict.
                RuleStatus::Unmatched
            };
            return Some(RuleOutcome {
                index,
                rule: *rule,
                status,
                args: self.args,
                word_bits: bits,
            });
        }
        None
    }
}

/// What became of one rule on a call.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum RuleStatus {
    /// All its conditions held and it decided the call.
    Decided,
    /// All its conditions held, but rule `by` won: its action precedes
    /// this one's, or it has the same kind of action and comes first.
    Outranked {
        /// The index of the deciding rule.
        by: usize,
    },
    /// At least one condition did not hold.
    Unmatched,
}

/// One rule on a call and what became of it ([`Explanation::rules`]).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct RuleOutcome<'a> {
    /// The rule's index in the policy.
    pub index: usize,
    /// The rule.
    pub rule: Rule<'a>,
    /// Whether it decided, lost, or did not match.
    pub status: RuleStatus,
    args: [u64; 6],
    word_bits: u32,
}

impl<'a> RuleOutcome<'a> {
    /// Whether all the rule's conditions held.
    pub const fn matched(&self) -> bool {
        !matches!(self.status, RuleStatus::Unmatched)
    }

    /// Each condition of the rule, in order, with the value it compared
    /// and whether it held.
    pub fn conds(&self) -> CondOutcomes<'a> {
        CondOutcomes {
            conds: self.rule.conds,
            args: self.args,
            word_bits: self.word_bits,
            next: 0,
        }
    }
}

/// The conditions of a rule on a call, with their outcomes
/// ([`RuleOutcome::conds`]).
#[derive(Clone, Debug)]
pub struct CondOutcomes<'a> {
    conds: &'a [Cond<'a>],
    args: [u64; 6],
    word_bits: u32,
    next: usize,
}

impl<'a> Iterator for CondOutcomes<'a> {
    type Item = CondOutcome<'a>;

    fn next(&mut self) -> Option<CondOutcome<'a>> {
        let cond = *self.conds.get(self.next)?;
        self.next += 1;
        let raw = self.args.get(usize::from(cond.arg)).copied().unwrap_or(0);
        let value = if cond.is_narrow(self.word_bits) {
            raw & 0xffff_ffff
        } else {
            raw
        };
        Some(CondOutcome {
            cond,
            value,
            held: cond.holds(&self.args, self.word_bits),
        })
    }
}

/// One condition and its outcome on a call.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct CondOutcome<'a> {
    /// The condition.
    pub cond: Cond<'a>,
    /// The argument as the condition compared it: the low 32 bits for a
    /// narrow comparison ([`Cond::is_narrow`]), the whole value otherwise.
    pub value: u64,
    /// Whether it held.
    pub held: bool,
}

/// The ABI a filter sees for `(arch, nr)`. On x86_64's audit arch every
/// number from [`X32_SYSCALL_BIT`] up belongs to x32 (so `0x8000_0000` and
/// the other negative numbers get x32's treatment: the bad-arch action
/// when x32 is not listed), as the compiled filter splits them.
pub const fn abi_of(arch: u32, nr: u32) -> Option<Abi> {
    if arch == Abi::X86_64.audit_arch() {
        return Some(if nr >= X32_SYSCALL_BIT {
            Abi::X32
        } else {
            Abi::X86_64
        });
    }
    Abi::from_audit_arch(arch, nr)
}

/// Whether all `conds` hold.
pub(crate) const fn conds_hold(conds: &[Cond<'_>], args: &[u64; 6], word_bits: u32) -> bool {
    let mut c = 0;
    while c < conds.len() {
        if !conds[c].holds(args, word_bits) {
            return false;
        }
        c += 1;
    }
    true
}

/// Checks that an action can be written into a filter.
const fn check_action(action: Action, rule: Option<usize>) -> Result<(), CompileError> {
    match action {
        Action::Errno(e) if e > crate::action::MAX_ERRNO => {
            Err(CompileError::ErrnoRange { rule, errno: e })
        }
        Action::Unknown(ret) => Err(CompileError::InvalidAction { rule, ret }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const X64: &[Abi] = &[Abi::X86_64];

    #[test]
    fn precedence_then_first_written() {
        const RULES: [Rule; 4] = [
            Rule::new(Syscall::read, Action::Allow),
            Rule::when(Syscall::read, &[Cond::eq(0, 1)], Action::Errno(1)),
            Rule::when(Syscall::read, &[Cond::eq(1, 1)], Action::Errno(2)),
            Rule::when(Syscall::read, &[Cond::eq(2, 1)], Action::Trap(0)),
        ];
        let p = Policy::new(Action::Errno(38), X64, &RULES);
        let e = |args| p.evaluate(Abi::X86_64, 0, &args).unwrap();
        assert_eq!(e([0; 6]), Action::Allow);
        assert_eq!(e([1, 0, 0, 0, 0, 0]), Action::Errno(1));
        assert_eq!(e([0, 1, 0, 0, 0, 0]), Action::Errno(2));
        // Both ERRNO rules match: the first written wins.
        assert_eq!(e([1, 1, 0, 0, 0, 0]), Action::Errno(1));
        // TRAP precedes ERRNO and ALLOW.
        assert_eq!(e([1, 1, 1, 0, 0, 0]), Action::Trap(0));
        let v = p.verdict(Abi::X86_64, 0, &[1, 1, 0, 0, 0, 0]).unwrap();
        assert_eq!(v.reason, Reason::Rule(1));
        let v = p.verdict(Abi::X86_64, 1, &[0; 6]).unwrap();
        assert_eq!((v.action, v.reason), (Action::Errno(38), Reason::Default));
    }

    #[test]
    fn explain_lists_every_rule_on_the_call() {
        const RULES: [Rule; 5] = [
            Rule::new(Syscall::read, Action::Allow),
            Rule::when(Syscall::read, &[Cond::eq(0, 1)], Action::Errno(1)),
            Rule::when(Syscall::write, &[], Action::Errno(9)),
            Rule::when(
                Syscall::read,
                &[Cond::eq(0, 1), Cond::gt(1, 0x2_0000_0000)],
                Action::Errno(2),
            ),
            Rule::when(Syscall::read, &[Cond::eq(1, 1).low32()], Action::Errno(3)),
        ];
        let p = Policy::new(Action::Errno(38), X64, &RULES);
        let args = [1, 0x1_0000_0001, 0, 0, 0, 0];
        let why = p.explain(Abi::X86_64, 0, &args).unwrap();
        assert_eq!(why.verdict(), p.verdict(Abi::X86_64, 0, &args).unwrap());
        let got: std::vec::Vec<_> = why.rules().map(|r| (r.index, r.status)).collect();
        assert_eq!(
            got,
            [
                (0, RuleStatus::Outranked { by: 1 }),
                (1, RuleStatus::Decided),
                (3, RuleStatus::Unmatched),
                (4, RuleStatus::Outranked { by: 1 }),
            ]
        );
        let r3 = why.rules().nth(2).unwrap();
        let conds: std::vec::Vec<_> = r3.conds().map(|c| (c.value, c.held)).collect();
        assert_eq!(conds, [(1, true), (0x1_0000_0001, false)]);
        assert!(!r3.matched());
        // The low-32 comparison reports the half it compared.
        let r4 = why.rules().nth(3).unwrap();
        assert_eq!(
            r4.conds().next().map(|c| (c.value, c.held)),
            Some((1, true))
        );
        // Log mode changes the action, not the reasons.
        let logged = p.log_mode(true);
        let why = logged.explain(Abi::X86_64, 0, &args).unwrap();
        assert_eq!(why.verdict().action, Action::Log);
        assert_eq!(why.verdict().reason, Reason::Rule(1));
        // Default and bad arch: no rule on the call.
        let why = p.explain(Abi::X86_64, 1, &[0; 6]).unwrap();
        assert_eq!(why.verdict().reason, Reason::Rule(2));
        let why = p.explain(Abi::X86_64, 2, &[0; 6]).unwrap();
        assert_eq!(
            (why.verdict().reason, why.rules().count()),
            (Reason::Default, 0)
        );
        let why = p.explain(Abi::X86, 3, &[0; 6]).unwrap();
        assert_eq!(
            (why.verdict().reason, why.rules().count()),
            (Reason::BadArch, 0)
        );
    }

    #[test]
    fn abis_and_x32_bit() {
        const RULES: [Rule; 1] = [Rule::new(Syscall::write, Action::Allow)];
        let p = Policy::new(Action::Errno(1), X64, &RULES);
        assert_eq!(p.evaluate(Abi::X86_64, 1, &[0; 6]), Ok(Action::Allow));
        // x32's write, not in the policy: bad arch.
        assert_eq!(
            p.evaluate(Abi::X86_64, 0x4000_0001, &[0; 6]),
            Ok(Action::KillProcess)
        );
        assert_eq!(
            p.evaluate(Abi::X32, 0x4000_0001, &[0; 6]),
            Ok(Action::KillProcess)
        );
        assert_eq!(p.evaluate(Abi::X86, 4, &[0; 6]), Ok(Action::KillProcess));
        let p = p.with_abis(&[Abi::X32]).bad_arch(Action::Trap(7));
        assert_eq!(
            p.evaluate(Abi::X32, 0x4000_0001, &[0; 6]),
            Ok(Action::Allow)
        );
        // An x86_64 number (no x32 bit) when only x32 is listed.
        assert_eq!(p.evaluate(Abi::X86_64, 1, &[0; 6]), Ok(Action::Trap(7)));
    }

    #[test]
    fn widths_and_32_bit_abis() {
        const C: [Cond; 1] = [Cond::eq(0, 5).low32()];
        const D: [Cond; 1] = [Cond::eq(0, 5)];
        const RULES: [Rule; 2] = [
            Rule::when(Syscall::close, &C, Action::Allow),
            Rule::when(Syscall::dup, &D, Action::Allow),
        ];
        let p = Policy::new(Action::Errno(1), &[Abi::X86_64, Abi::X86], &RULES);
        let high = 0xffff_ffff_0000_0005;
        let close = Syscall::close.nr(Abi::X86_64).unwrap();
        let dup = Syscall::dup.nr(Abi::X86_64).unwrap();
        assert_eq!(
            p.evaluate(Abi::X86_64, close, &[high, 0, 0, 0, 0, 0]),
            Ok(Action::Allow)
        );
        assert_eq!(
            p.evaluate(Abi::X86_64, dup, &[high, 0, 0, 0, 0, 0]),
            Ok(Action::Errno(1))
        );
        // On i386 the upper half does not exist.
        let dup32 = Syscall::dup.nr(Abi::X86).unwrap();
        assert_eq!(
            p.evaluate(Abi::X86, dup32, &[high, 0, 0, 0, 0, 0]),
            Ok(Action::Allow)
        );
    }

    #[test]
    fn errors() {
        const WIDE: [Cond; 1] = [Cond::eq(0, 1 << 40)];
        const WIDE_LOW: [Cond; 1] = [Cond::eq(0, 1 << 40).low32()];
        const ARG: [Cond; 1] = [Cond::eq(6, 0)];
        let r = [Rule::when(Syscall::read, &WIDE, Action::Allow)];
        assert_eq!(Policy::new(Action::Allow, X64, &r).check(), Ok(()));
        assert_eq!(
            Policy::new(Action::Allow, &[Abi::X86_64, Abi::Arm], &r).check(),
            Err(CompileError::ConstantTooWide {
                rule: 0,
                abi: Some(Abi::Arm)
            })
        );
        let r = [Rule::when(Syscall::read, &WIDE_LOW, Action::Allow)];
        assert_eq!(
            Policy::new(Action::Allow, X64, &r).check(),
            Err(CompileError::ConstantTooWide { rule: 0, abi: None })
        );
        let r = [Rule::when(Syscall::read, &ARG, Action::Allow)];
        assert_eq!(
            Policy::new(Action::Allow, X64, &r).check(),
            Err(CompileError::ArgIndex { rule: 0, arg: 6 })
        );
        let r = [Rule::named("no_such_call", Action::Allow)];
        assert_eq!(
            Policy::new(Action::Allow, X64, &r).check(),
            Err(CompileError::UnknownSyscall { rule: 0 })
        );
        let r = [Rule::new(Syscall::socketcall, Action::Allow)];
        assert_eq!(Policy::new(Action::Allow, X64, &r).check(), Ok(()));
        assert_eq!(
            Policy::new(Action::Allow, X64, &r)
                .on_missing(OnMissing::Error)
                .check(),
            Err(CompileError::MissingSyscall {
                rule: 0,
                abi: Abi::X86_64
            })
        );
        let r = [Rule::new(Syscall::read, Action::Errno(4096))];
        assert_eq!(
            Policy::new(Action::Allow, X64, &r).check(),
            Err(CompileError::ErrnoRange {
                rule: Some(0),
                errno: 4096
            })
        );
        assert_eq!(
            Policy::new(Action::Allow, &[], &[]).check(),
            Err(CompileError::NoAbi)
        );
        assert_eq!(
            Policy::new(Action::Allow, &[Abi::Arm, Abi::Arm], &[]).check(),
            Err(CompileError::DuplicateAbi { abi: Abi::Arm })
        );
        let r = [Rule::raw(Abi::X86, 4, Action::Allow)];
        assert_eq!(
            Policy::new(Action::Allow, X64, &r).check(),
            Err(CompileError::NrAbiNotInPolicy {
                rule: 0,
                abi: Abi::X86
            })
        );
        let r = [Rule::raw(Abi::X32, 4, Action::Allow)];
        assert_eq!(
            Policy::new(Action::Allow, &[Abi::X32], &r).check(),
            Err(CompileError::NrOutOfAbi {
                rule: 0,
                abi: Abi::X32
            })
        );
    }

    #[test]
    fn log_mode_keeps_allow_and_bad_arch() {
        const RULES: [Rule; 2] = [
            Rule::new(Syscall::read, Action::Allow),
            Rule::new(Syscall::write, Action::KillThread),
        ];
        let p = Policy::new(Action::Errno(1), X64, &RULES).log_mode(true);
        assert_eq!(p.evaluate(Abi::X86_64, 0, &[0; 6]), Ok(Action::Allow));
        assert_eq!(p.evaluate(Abi::X86_64, 1, &[0; 6]), Ok(Action::Log));
        assert_eq!(p.evaluate(Abi::X86_64, 2, &[0; 6]), Ok(Action::Log));
        assert_eq!(p.evaluate(Abi::Arm, 2, &[0; 6]), Ok(Action::KillProcess));
    }

    #[test]
    fn every_comparison() {
        let args = |a| [a, 0, 0, 0, 0, 0];
        let h = |c: Cond, a: u64| c.holds(&args(a), 64);
        assert!(h(Cond::lt(0, 5), 4) && !h(Cond::lt(0, 5), 5));
        assert!(h(Cond::le(0, 5), 5) && !h(Cond::le(0, 5), 6));
        assert!(h(Cond::gt(0, 5), 6) && !h(Cond::gt(0, 5), 5));
        assert!(h(Cond::ge(0, 5), 5) && !h(Cond::ge(0, 5), 4));
        assert!(h(Cond::ne(0, 5), 4) && !h(Cond::ne(0, 5), 5));
        assert!(
            h(Cond::masked_eq(0, 0xf0, 0x30), 0x3f) && !h(Cond::masked_eq(0, 0xf0, 0x30), 0x4f)
        );
        assert!(!h(Cond::masked_eq(0, 0xf0, 0x31), 0x31));
        assert!(h(Cond::in_range(0, 3, 9), 3) && h(Cond::in_range(0, 3, 9), 9));
        assert!(!h(Cond::in_range(0, 3, 9), 10) && !h(Cond::in_range(0, 9, 3), 5));
        assert!(h(Cond::any_of(0, &[1, 7]), 7) && !h(Cond::any_of(0, &[1, 7]), 2));
        assert!(!h(Cond::any_of(0, &[]), 0));
        assert!(h(Cond::all_set(0, 0b101), 0b111) && !h(Cond::all_set(0, 0b101), 0b110));
        assert!(h(Cond::none_set(0, 0b101), 0b010) && !h(Cond::none_set(0, 0b101), 0b100));
        assert!(!h(Cond::gt(0, 5).low32(), 0x1_0000_0000));
        assert!(h(Cond::gt(0, 5), 0x1_0000_0000));
        // A 32-bit ABI sees only the low half.
        assert!(Cond::eq(0, 5).holds(&args(0x1_0000_0005), 32));
    }
}
