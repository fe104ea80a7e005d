//! What a filter returns: the seccomp actions and their data.
//!
//! A filter returns a 32-bit value, an action in the upper 16 bits and its
//! data in the lower 16. When several filters are stacked, the kernel runs
//! them all and keeps the result whose action has the smallest signed value
//! of `ret & 0xFFFF0000`, so the precedence is
//!
//! ```text
//! KILL_PROCESS > KILL_THREAD > TRAP > ERRNO > USER_NOTIF > TRACE > LOG > ALLOW
//! ```
//!
//! and an unknown action (which kills the process) ranks by its value too.
//!
//! ```
//! use seccomp_bpf::Action;
//! assert_eq!(Action::Errno(1).to_ret(), 0x0005_0001);
//! assert_eq!(Action::from_ret(0x7fff_0000), Action::Allow);
//! assert!(Action::KillThread.precedes(Action::Trap(0)));
//! ```

use core::cmp::Ordering;
use core::fmt;

/// `SECCOMP_RET_KILL_PROCESS`.
pub const RET_KILL_PROCESS: u32 = 0x8000_0000;
/// `SECCOMP_RET_KILL_THREAD` (also `SECCOMP_RET_KILL`).
pub const RET_KILL_THREAD: u32 = 0x0000_0000;
/// `SECCOMP_RET_TRAP`.
pub const RET_TRAP: u32 = 0x0003_0000;
/// `SECCOMP_RET_ERRNO`.
pub const RET_ERRNO: u32 = 0x0005_0000;
/// `SECCOMP_RET_USER_NOTIF`.
pub const RET_USER_NOTIF: u32 = 0x7FC0_0000;
/// `SECCOMP_RET_TRACE`.
pub const RET_TRACE: u32 = 0x7FF0_0000;
/// `SECCOMP_RET_LOG`.
pub const RET_LOG: u32 = 0x7FFC_0000;
/// `SECCOMP_RET_ALLOW`.
pub const RET_ALLOW: u32 = 0x7FFF_0000;
/// `SECCOMP_RET_ACTION_FULL`: the action bits of a return value.
pub const RET_ACTION_FULL: u32 = 0xFFFF_0000;
/// `SECCOMP_RET_DATA`: the data bits of a return value.
pub const RET_DATA: u32 = 0x0000_FFFF;
/// The largest errno the kernel returns (`MAX_ERRNO`); ERRNO data above it
/// is capped to it.
pub const MAX_ERRNO: u16 = 4095;

/// A seccomp action with its data.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Action {
    /// Kill the whole process, as by an uncatchable SIGSYS (core dump).
    #[doc(alias = "SECCOMP_RET_KILL_PROCESS")]
    KillProcess,
    /// Kill the calling thread (the process too, if it is the last one).
    #[doc(alias = "SECCOMP_RET_KILL_THREAD")]
    #[doc(alias = "SECCOMP_RET_KILL")]
    KillThread,
    /// Send SIGSYS with `si_errno` set to the data; the call is not made.
    #[doc(alias = "SECCOMP_RET_TRAP")]
    Trap(u16),
    /// Fail the call with this errno (0..=4095; 0 makes it return 0
    /// without running it).
    #[doc(alias = "SECCOMP_RET_ERRNO")]
    Errno(u16),
    /// Ask the user-space supervisor holding the listener fd.
    #[doc(alias = "SECCOMP_RET_USER_NOTIF")]
    UserNotif,
    /// Stop for a ptrace tracer, with this value for `PTRACE_GETEVENTMSG`.
    #[doc(alias = "SECCOMP_RET_TRACE")]
    Trace(u16),
    /// Allow the call and log it.
    #[doc(alias = "SECCOMP_RET_LOG")]
    Log,
    /// Allow the call.
    #[doc(alias = "SECCOMP_RET_ALLOW")]
    Allow,
    /// A return value whose action the kernel does not know. The kernel
    /// kills the process for it ([`Action::effect`] says so).
    Unknown(u32),
}

/// What the kernel does with a return value, after decoding it.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Effect {
    /// The process dies of SIGSYS.
    KillProcess,
    /// The thread dies of SIGSYS.
    KillThread,
    /// SIGSYS is delivered; the call is skipped.
    Trap(u16),
    /// The call fails with this errno (capped to 4095), or returns 0 for 0.
    Errno(u16),
    /// A supervisor decides (ENOSYS without a listener).
    UserNotif,
    /// A tracer decides (ENOSYS without a tracer).
    Trace(u16),
    /// The call runs and is logged.
    Log,
    /// The call runs.
    Allow,
}

impl Action {
    /// The return value a filter gives for this action.
    ///
    /// The data is kept as given: `Errno(5000)` encodes to `0x00051388`,
    /// which the kernel caps to 4095 (see [`Action::is_valid`]).
    pub const fn to_ret(self) -> u32 {
        match self {
            Action::KillProcess => RET_KILL_PROCESS,
            Action::KillThread => RET_KILL_THREAD,
            Action::Trap(d) => RET_TRAP | d as u32,
            Action::Errno(d) => RET_ERRNO | d as u32,
            Action::UserNotif => RET_USER_NOTIF,
            Action::Trace(d) => RET_TRACE | d as u32,
            Action::Log => RET_LOG,
            Action::Allow => RET_ALLOW,
            Action::Unknown(v) => v,
        }
    }

    /// Decodes a filter's return value. Data bits that the action ignores
    /// are dropped (`ALLOW | 5` is `Allow`); a value whose action is not
    /// one of the eight is `Unknown` and keeps all its bits.
    pub const fn from_ret(ret: u32) -> Action {
        let data = (ret & RET_DATA) as u16;
        match ret & RET_ACTION_FULL {
            RET_KILL_PROCESS => Action::KillProcess,
            RET_KILL_THREAD => Action::KillThread,
            RET_TRAP => Action::Trap(data),
            RET_ERRNO => Action::Errno(data),
            RET_USER_NOTIF => Action::UserNotif,
            RET_TRACE => Action::Trace(data),
            RET_LOG => Action::Log,
            RET_ALLOW => Action::Allow,
            _ => Action::Unknown(ret),
        }
    }

    /// Whether the action can be written into a filter as is: an errno in
    /// 0..=4095 and no `Unknown` value.
    pub const fn is_valid(self) -> bool {
        match self {
            Action::Errno(e) => e <= MAX_ERRNO,
            Action::Unknown(_) => false,
            _ => true,
        }
    }

    /// What the kernel does when a filter returns this action.
    pub const fn effect(self) -> Effect {
        match self {
            Action::KillProcess | Action::Unknown(_) => Effect::KillProcess,
            Action::KillThread => Effect::KillThread,
            Action::Trap(d) => Effect::Trap(d),
            Action::Errno(e) => Effect::Errno(if e > MAX_ERRNO { MAX_ERRNO } else { e }),
            Action::UserNotif => Effect::UserNotif,
            Action::Trace(d) => Effect::Trace(d),
            Action::Log => Effect::Log,
            Action::Allow => Effect::Allow,
        }
    }

    /// The key the kernel orders stacked results by: the smaller wins.
    pub const fn precedence_key(self) -> i32 {
        (self.to_ret() & RET_ACTION_FULL) as i32
    }

    /// Whether this action wins over `other` when two filters disagree
    /// (equal actions do not precede each other; the newer filter's data
    /// is kept then).
    pub const fn precedes(self, other: Action) -> bool {
        self.precedence_key() < other.precedence_key()
    }

    /// Orders actions by precedence: `Less` means `self` wins.
    pub const fn cmp_precedence(self, other: Action) -> Ordering {
        let (a, b) = (self.precedence_key(), other.precedence_key());
        if a < b {
            Ordering::Less
        } else if a > b {
            Ordering::Greater
        } else {
            Ordering::Equal
        }
    }

    /// The result of two stacked filters: `newer` was installed last (and
    /// runs first). The action of higher precedence wins; on a tie the
    /// newer filter's value, data included, is kept.
    pub const fn combine(newer: Action, older: Action) -> Action {
        if older.precedes(newer) { older } else { newer }
    }

    /// The kernel's name for the action, as `/proc/sys/kernel/seccomp/actions_avail`
    /// spells it (`kill_process`, `errno`, ...); `None` for `Unknown`.
    pub const fn kernel_name(self) -> Option<&'static str> {
        Some(match self {
            Action::KillProcess => "kill_process",
            Action::KillThread => "kill_thread",
            Action::Trap(_) => "trap",
            Action::Errno(_) => "errno",
            Action::UserNotif => "user_notif",
            Action::Trace(_) => "trace",
            Action::Log => "log",
            Action::Allow => "allow",
            Action::Unknown(_) => return None,
        })
    }

    /// The eight actions, data zero, in precedence order (highest first).
    pub const ALL: [Action; 8] = [
        Action::KillProcess,
        Action::KillThread,
        Action::Trap(0),
        Action::Errno(0),
        Action::UserNotif,
        Action::Trace(0),
        Action::Log,
        Action::Allow,
    ];
}

/// Spelled as the CLI prints it: `ALLOW`, `LOG`, `KILL_PROCESS`,
/// `KILL_THREAD`, `ERRNO(n)`, `TRAP(n)`, `TRACE(n)`, `NOTIFY`, or
/// `UNKNOWN(0x...)`.
impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Action::KillProcess => f.write_str("KILL_PROCESS"),
            Action::KillThread => f.write_str("KILL_THREAD"),
            Action::Trap(d) => write!(f, "TRAP({d})"),
            Action::Errno(d) => write!(f, "ERRNO({d})"),
            Action::UserNotif => f.write_str("NOTIFY"),
            Action::Trace(d) => write!(f, "TRACE({d})"),
            Action::Log => f.write_str("LOG"),
            Action::Allow => f.write_str("ALLOW"),
            Action::Unknown(v) => write!(f, "UNKNOWN({v:#010x})"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        for a in Action::ALL {
            assert_eq!(Action::from_ret(a.to_ret()), a);
        }
        for d in [0u16, 1, 77, 4095, 0xffff] {
            assert_eq!(Action::from_ret(RET_ERRNO | d as u32), Action::Errno(d));
            assert_eq!(Action::from_ret(RET_TRAP | d as u32), Action::Trap(d));
            assert_eq!(Action::from_ret(RET_TRACE | d as u32), Action::Trace(d));
        }
        assert_eq!(Action::from_ret(RET_ALLOW | 9), Action::Allow);
        assert_eq!(Action::from_ret(RET_KILL_PROCESS | 9), Action::KillProcess);
        assert_eq!(Action::from_ret(0x7ffe_0000), Action::Unknown(0x7ffe_0000));
        assert_eq!(Action::Unknown(0x0001_0000).effect(), Effect::KillProcess);
        assert_eq!(Action::Errno(5000).effect(), Effect::Errno(4095));
        assert!(!Action::Errno(4096).is_valid());
        assert!(Action::Errno(4095).is_valid());
    }

    #[test]
    fn precedence_is_the_kernel_order() {
        for w in Action::ALL.windows(2) {
            assert!(w[0].precedes(w[1]), "{} before {}", w[0], w[1]);
            assert_eq!(Action::combine(w[1], w[0]), w[0]);
            assert_eq!(Action::combine(w[0], w[1]), w[0]);
        }
        // Same action: the newer filter's data wins.
        assert_eq!(
            Action::combine(Action::Errno(2), Action::Errno(1)),
            Action::Errno(2)
        );
        // An unknown action ranks by its signed value.
        assert!(Action::KillThread.precedes(Action::Unknown(0x0001_0000)));
        assert!(Action::Unknown(0x0001_0000).precedes(Action::Trap(0)));
    }

    #[test]
    fn display() {
        assert_eq!(std::format!("{}", Action::Errno(22)), "ERRNO(22)");
        assert_eq!(std::format!("{}", Action::UserNotif), "NOTIFY");
        assert_eq!(std::format!("{}", Action::Allow), "ALLOW");
    }
}
