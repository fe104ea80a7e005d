//! The compiler's error type.

use crate::abi::Abi;
use core::fmt;

/// Why a policy does not compile (or cannot be evaluated).
///
/// `rule` fields are indexes into [`Policy::rules`](crate::Policy::rules);
/// `None` where the default or bad-arch action is meant.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[non_exhaustive]
pub enum CompileError {
    /// The filter's capacity `N` is too small. `needed` is the length
    /// counted to the end: past the capacity the compiler keeps counting
    /// but cannot share instructions it did not store, so `needed` is at
    /// least the filter's length, and equal to it when little was missing.
    Capacity {
        /// The capacity given.
        capacity: usize,
        /// The length counted (see above).
        needed: usize,
    },
    /// The filter would have more than 4096 instructions, the kernel's limit.
    TooLong {
        /// Its length (or a bound on it).
        len: usize,
    },
    /// An ERRNO action with data above 4095.
    ErrnoRange {
        /// The rule, or `None` for the default or bad-arch action.
        rule: Option<usize>,
        /// The errno given.
        errno: u16,
    },
    /// An [`Action::Unknown`](crate::Action::Unknown) in a policy.
    InvalidAction {
        /// The rule, or `None` for the default or bad-arch action.
        rule: Option<usize>,
        /// The return value given.
        ret: u32,
    },
    /// An argument index above 5.
    ArgIndex {
        /// The rule.
        rule: usize,
        /// The index given.
        arg: u8,
    },
    /// A constant above `u32::MAX` where only 32 bits are compared: in a
    /// [`Width::Low32`](crate::policy::Width::Low32) condition (`abi` is
    /// `None`), or in any condition on a 32-bit ABI (`abi` says which).
    ConstantTooWide {
        /// The rule.
        rule: usize,
        /// The 32-bit ABI, for a full-width condition.
        abi: Option<Abi>,
    },
    /// A system-call name that no ABI knows.
    UnknownSyscall {
        /// The rule.
        rule: usize,
    },
    /// A call one of the ABIs lacks, with
    /// [`OnMissing::Error`](crate::policy::OnMissing::Error).
    MissingSyscall {
        /// The rule.
        rule: usize,
        /// The ABI that lacks it.
        abi: Abi,
    },
    /// A raw-number rule for an ABI the policy does not list.
    NrAbiNotInPolicy {
        /// The rule.
        rule: usize,
        /// Its ABI.
        abi: Abi,
    },
    /// A raw number that cannot be a call of its ABI (an x32 number without
    /// the x32 bit, an x86_64 number with it).
    NrOutOfAbi {
        /// The rule.
        rule: usize,
        /// Its ABI.
        abi: Abi,
    },
    /// The policy has no ABI.
    NoAbi,
    /// An ABI is listed twice.
    DuplicateAbi {
        /// The ABI.
        abi: Abi,
    },
    /// More rules apply to one ABI than the compiler's fixed scratch space
    /// holds ([`MAX_RULES_PER_ABI`](crate::compile::MAX_RULES_PER_ABI),
    /// and half as many distinct numbers).
    TooManyRules {
        /// The ABI.
        abi: Abi,
    },
}

impl CompileError {
    /// A fixed description of the error kind (usable in const context,
    /// where formatting is not).
    pub const fn message(&self) -> &'static str {
        match self {
            CompileError::Capacity { .. } => "the filter's capacity is too small",
            CompileError::TooLong { .. } => {
                "the filter would exceed the kernel's 4096 instructions"
            }
            CompileError::ErrnoRange { .. } => "an ERRNO action's errno is above 4095",
            CompileError::InvalidAction { .. } => "a policy action is not a known seccomp action",
            CompileError::ArgIndex { .. } => "a condition's argument index is above 5",
            CompileError::ConstantTooWide { .. } => {
                "a condition compares 32 bits against a constant above u32::MAX"
            }
            CompileError::UnknownSyscall { .. } => "a rule names an unknown system call",
            CompileError::MissingSyscall { .. } => {
                "a rule's system call is missing on one of the ABIs"
            }
            CompileError::NrAbiNotInPolicy { .. } => {
                "a raw-number rule's ABI is not one of the policy's"
            }
            CompileError::NrOutOfAbi { .. } => "a raw number cannot be a call of its ABI",
            CompileError::NoAbi => "the policy has no ABI",
            CompileError::DuplicateAbi { .. } => "an ABI is listed twice",
            CompileError::TooManyRules { .. } => "too many rules apply to one ABI",
        }
    }

    /// The full message, with the numbers, in a fixed buffer (usable in
    /// const context: [`Filter::new_or_panic`](crate::Filter::new_or_panic)
    /// panics with it).
    pub const fn text(&self) -> ErrorText {
        let mut t = ErrorText::new();
        t.push(self.message());
        match *self {
            CompileError::Capacity { capacity, needed } => {
                t.push(": capacity ");
                t.num(capacity as u64);
                t.push(", needs ");
                t.num(needed as u64);
            }
            CompileError::TooLong { len } => {
                t.push(": ");
                t.num(len as u64);
                t.push(" instructions");
            }
            CompileError::ErrnoRange { rule, errno } => {
                t.opt_rule(rule);
                t.push(", errno ");
                t.num(errno as u64);
            }
            CompileError::InvalidAction { rule, ret } => {
                t.opt_rule(rule);
                t.push(", value ");
                t.num(ret as u64);
            }
            CompileError::ArgIndex { rule, arg } => {
                t.rule(rule);
                t.push(", argument ");
                t.num(arg as u64);
            }
            CompileError::ConstantTooWide { rule, abi } => {
                t.rule(rule);
                if let Some(abi) = abi {
                    t.push(" on 32-bit ABI ");
                    t.push(abi.name());
                }
            }
            CompileError::UnknownSyscall { rule } => t.rule(rule),
            CompileError::MissingSyscall { rule, abi }
            | CompileError::NrAbiNotInPolicy { rule, abi }
            | CompileError::NrOutOfAbi { rule, abi } => {
                t.rule(rule);
                t.push(", ABI ");
                t.push(abi.name());
            }
            CompileError::NoAbi => {}
            CompileError::DuplicateAbi { abi } | CompileError::TooManyRules { abi } => {
                t.push(": ");
                t.push(abi.name());
            }
        }
        t
    }
}

impl fmt::Display for CompileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.text().as_str())
    }
}

impl core::error::Error for CompileError {}

/// An error message built without formatting machinery, so that const
/// code can produce it (see [`CompileError::text`]).
#[derive(Clone, Copy, Debug)]
pub struct ErrorText {
    buf: [u8; 160],
    len: usize,
}

impl ErrorText {
    const fn new() -> Self {
        ErrorText {
            buf: [0; 160],
            len: 0,
        }
    }

    /// The message.
    pub const fn as_str(&self) -> &str {
        let (head, _) = self.buf.split_at(self.len);
        match core::str::from_utf8(head) {
            Ok(s) => s,
            Err(_) => "",
        }
    }

    const fn push(&mut self, s: &str) {
        let b = s.as_bytes();
        let mut i = 0;
        // Only whole ASCII text is pushed, so cutting at the end of the
        // buffer keeps the text valid UTF-8.
        while i < b.len() && self.len < self.buf.len() {
            self.buf[self.len] = b[i];
            self.len += 1;
            i += 1;
        }
    }

    const fn num(&mut self, mut v: u64) {
        let mut digits = [0u8; 20];
        let mut n = 0;
        loop {
            digits[n] = b'0' + (v % 10) as u8;
            n += 1;
            v /= 10;
            if v == 0 || n == digits.len() {
                break;
            }
        }
        while n > 0 && self.len < self.buf.len() {
            n -= 1;
            self.buf[self.len] = digits[n];
            self.len += 1;
        }
    }

    const fn rule(&mut self, rule: usize) {
        self.push(" (rule ");
        self.num(rule as u64);
        self.push(")");
    }

    const fn opt_rule(&mut self, rule: Option<usize>) {
        match rule {
            Some(r) => self.rule(r),
            None => self.push(" (default or bad-arch action)"),
        }
    }
}
