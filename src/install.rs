//! Installing a filter: no_new_privs, `seccomp(2)` with flags, the `prctl`
//! fallback, the notification listener, and probes of what the running
//! kernel supports.
//!
//! ```no_run
//! use seccomp_bpf::{bpf, data, install, Action, FilterFlags};
//!
//! const PROG: [bpf::SockFilter; 4] = [
//!     bpf::ld_abs(data::NR),
//!     bpf::jeq_k(39, 0, 1), // getpid (x86_64)
//!     bpf::ret_k(Action::Errno(1).to_ret()),
//!     bpf::ret_k(Action::Allow.to_ret()),
//! ];
//!
//! install::set_no_new_privs()?;
//! install::install(&PROG, FilterFlags::TSYNC)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Nothing here retries with weaker settings: a flag the kernel refuses is
//! an error, and the only fallback, to `prctl(PR_SET_SECCOMP)`, is taken
//! when `seccomp(2)` itself is missing (`ENOSYS`) and no flag was asked
//! for, because `prctl` installs exactly the same filter then.

use core::fmt;
use core::sync::atomic::{AtomicU32, Ordering};

use crate::Action;
use crate::bpf::{SockFilter, SockFprog};
use crate::sys::{self, Errno, OwnedFd};

use crate::bpf::verify::Reason;
pub use crate::bpf::verify::{CHAIN_BUDGET, FILTER_OVERHEAD};
use crate::bpf::{VerifyError, verify};

bitflags::bitflags! {
    /// `SECCOMP_FILTER_FLAG_*`: how `seccomp(SECCOMP_SET_MODE_FILTER)`
    /// installs a filter.
    ///
    /// Flags built with [`FilterFlags::from_bits_retain`] keep bits the crate
    /// does not know and pass them to the kernel, which refuses the ones it
    /// does not know with `EINVAL` ([`InstallError::Invalid`]).
    #[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
    pub struct FilterFlags: u32 {
        /// Install on every thread of the process, or fail naming the
        /// thread that cannot be synchronized.
        #[doc(alias = "SECCOMP_FILTER_FLAG_TSYNC")]
        const TSYNC = 1;
        /// Log every action but ALLOW (where the kernel's
        /// `actions_logged` says so).
        #[doc(alias = "SECCOMP_FILTER_FLAG_LOG")]
        const LOG = 2;
        /// Do not turn on the speculative store bypass mitigation.
        #[doc(alias = "SECCOMP_FILTER_FLAG_SPEC_ALLOW")]
        const SPEC_ALLOW = 4;
        /// Return a user-notification listener descriptor
        /// ([`install_listener`] sets it).
        #[doc(alias = "SECCOMP_FILTER_FLAG_NEW_LISTENER")]
        const NEW_LISTENER = 8;
        /// With TSYNC, fail with `ESRCH` instead of a thread id (needed to
        /// combine TSYNC with NEW_LISTENER).
        #[doc(alias = "SECCOMP_FILTER_FLAG_TSYNC_ESRCH")]
        const TSYNC_ESRCH = 16;
        /// Make the notified task's wait killable-only once the
        /// supervisor has received the notification (needs NEW_LISTENER).
        #[doc(alias = "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV")]
        const WAIT_KILLABLE_RECV = 32;
    }
}

impl FilterFlags {
    /// The flags `self` needs beside itself for the kernel to accept it
    /// (TSYNC|NEW_LISTENER needs TSYNC_ESRCH; WAIT_KILLABLE_RECV needs
    /// NEW_LISTENER).
    pub const fn required(self) -> FilterFlags {
        let mut r = FilterFlags::empty();
        if self.contains(FilterFlags::TSYNC.union(FilterFlags::NEW_LISTENER)) {
            r = r.union(FilterFlags::TSYNC_ESRCH);
        }
        if self.contains(FilterFlags::WAIT_KILLABLE_RECV) {
            r = r.union(FilterFlags::NEW_LISTENER);
        }
        r.difference(self)
    }

    /// The check [`install`] makes before calling the kernel.
    ///
    /// # Errors
    /// The first combination the kernel would refuse.
    pub const fn check(self) -> Result<(), FlagConflict> {
        if self.contains(FilterFlags::WAIT_KILLABLE_RECV)
            && !self.contains(FilterFlags::NEW_LISTENER)
        {
            return Err(FlagConflict::KillableRecvWithoutListener);
        }
        if self.contains(FilterFlags::TSYNC.union(FilterFlags::NEW_LISTENER))
            && !self.contains(FilterFlags::TSYNC_ESRCH)
        {
            return Err(FlagConflict::TsyncListenerWithoutEsrch);
        }
        Ok(())
    }
}

/// A combination of flags the kernel refuses, found before calling it.
#[non_exhaustive]
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum FlagConflict {
    /// TSYNC with NEW_LISTENER needs TSYNC_ESRCH (a thread id and a
    /// descriptor cannot share the return value).
    TsyncListenerWithoutEsrch,
    /// WAIT_KILLABLE_RECV needs NEW_LISTENER.
    KillableRecvWithoutListener,
    /// NEW_LISTENER was passed to [`install`], which has no descriptor to
    /// return: use [`install_listener`].
    ListenerNeedsInstallListener,
}

impl fmt::Display for FlagConflict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FlagConflict::TsyncListenerWithoutEsrch => {
                "TSYNC together with NEW_LISTENER needs TSYNC_ESRCH as well: add FilterFlags::TSYNC_ESRCH"
            }
            FlagConflict::KillableRecvWithoutListener => {
                "WAIT_KILLABLE_RECV needs NEW_LISTENER: install with install_listener()"
            }
            FlagConflict::ListenerNeedsInstallListener => {
                "NEW_LISTENER returns a descriptor: call install_listener() instead of install()"
            }
        })
    }
}

impl core::error::Error for FlagConflict {}

/// Why a filter was not installed.
#[non_exhaustive]
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum InstallError {
    /// The program fails the kernel's checks; the kernel was not called.
    Verify(VerifyError),
    /// The flags are a combination the kernel refuses; it was not called.
    Flags(FlagConflict),
    /// `EACCES`: the thread has neither no_new_privs nor `CAP_SYS_ADMIN`
    /// in its user namespace.
    Access,
    /// `EINVAL`: the kernel refused the flags (one it does not know; see
    /// [`flag_known`]) or, after [`verify`](VerifyError) passed, the
    /// program.
    Invalid {
        /// The flags that were passed.
        flags: FilterFlags,
    },
    /// `ENOMEM`: the thread's filter chain would exceed the kernel's
    /// budget ([`CHAIN_BUDGET`] instruction units), or memory ran out.
    NoMemory {
        /// What this filter adds to the chain, as the kernel counts it
        /// (its internal length plus 4).
        filter: u32,
        /// What the filters installed through this crate by this process
        /// add, counted the same way (see [`installed_cost`]): a lower
        /// bound of the chain, which may also hold filters inherited
        /// across `execve` or installed by other code.
        installed: u32,
    },
    /// `EBUSY`: NEW_LISTENER was asked, but a filter in the chain already
    /// has a listener.
    Busy,
    /// TSYNC could not synchronize this thread (it runs a filter chain that
    /// is not an ancestor of the caller's, or is in another mode).
    TsyncFailed {
        /// The thread's id.
        tid: u32,
    },
    /// `ESRCH` with TSYNC_ESRCH: some thread could not be synchronized.
    TsyncEsrch,
    /// `EFAULT`: the kernel could not read the program (should not happen
    /// with a live slice).
    Fault,
    /// The kernel has no filter mode: `seccomp(2)` answered ENOSYS, and
    /// `prctl(PR_SET_SECCOMP)` was either not tried (flags were asked,
    /// which it cannot carry) or refused too (its answer is kept).
    Unsupported {
        /// The answer of `seccomp(2)` (ENOSYS).
        seccomp: Errno,
        /// The answer of the `prctl` fallback, or `None` if not tried.
        prctl: Option<Errno>,
    },
    /// Any other errno from the kernel.
    Kernel(Errno),
}

impl fmt::Display for InstallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            InstallError::Verify(e) => {
                write!(
                    f,
                    "the program fails the kernel's checks, nothing installed: {e}"
                )
            }
            InstallError::Flags(c) => write!(f, "flags refused before calling the kernel: {c}"),
            InstallError::Access => f.write_str(
                "EACCES: the thread has neither no_new_privs nor CAP_SYS_ADMIN; \
                 call install::set_no_new_privs() first",
            ),
            InstallError::Invalid { flags } => write!(
                f,
                "EINVAL: the kernel refused the flags {:#x} (one it does not know? \
                 check install::flag_known) or the program",
                flags.bits()
            ),
            InstallError::NoMemory { filter, installed } => write!(
                f,
                "ENOMEM: the filter chain is over the kernel's budget of {CHAIN_BUDGET}: this \
                 filter costs {filter}, filters installed by this process through the crate \
                 cost {installed} (filters inherited or installed otherwise are not counted); \
                 merge filters or make them shorter"
            ),
            InstallError::Busy => f.write_str(
                "EBUSY: a filter in the chain already has a notification listener; \
                 only one listener per chain",
            ),
            InstallError::TsyncFailed { tid } => write!(
                f,
                "TSYNC: thread {tid} could not be synchronized (it installed its own filter \
                 or is in strict mode); install from a thread whose chain the others share"
            ),
            InstallError::TsyncEsrch => f.write_str(
                "ESRCH: TSYNC could not synchronize some thread (TSYNC_ESRCH hides its id)",
            ),
            InstallError::Fault => f.write_str("EFAULT: the kernel could not read the program"),
            InstallError::Unsupported {
                seccomp,
                prctl: None,
            } => write!(
                f,
                "this kernel has no seccomp(2) ({seccomp}), and the flags asked for need it"
            ),
            InstallError::Unsupported {
                seccomp,
                prctl: Some(p),
            } => write!(
                f,
                "this kernel has no seccomp filter mode: seccomp(2) answered {seccomp}, \
                 prctl(PR_SET_SECCOMP) answered {p}"
            ),
            InstallError::Kernel(e) => write!(f, "the kernel refused the filter: {e}"),
        }
    }
}

impl core::error::Error for InstallError {}

/// A user-notification listener (the descriptor NEW_LISTENER returns). It
/// is closed when dropped; a closed listener makes the notified calls fail
/// with ENOSYS.
#[derive(Debug)]
pub struct Listener(pub(crate) OwnedFd);

impl Listener {
    /// The descriptor, still owned by the listener.
    pub const fn as_raw_fd(&self) -> i32 {
        self.0.as_raw_fd()
    }

    /// Gives up ownership: the caller must close the descriptor.
    pub fn into_raw_fd(self) -> i32 {
        self.0.into_raw_fd()
    }
}

/// What the filters installed through this crate by this process cost the
/// kernel's chain budget so far: the sum, over every successful install on
/// any thread since the process started (a child of `fork` starts with its
/// parent's sum, as it inherits its filters), of the kernel's count for the
/// filter (internal length + 4). Filters inherited across `execve` or
/// installed without this crate are not in it, and with several threads
/// installing without TSYNC it can exceed any one thread's chain.
pub fn installed_cost() -> u32 {
    INSTALLED.load(Ordering::Relaxed)
}

static INSTALLED: AtomicU32 = AtomicU32::new(0);

/// Sets no_new_privs for the calling thread (inherited by children and
/// kept across `execve`): the thread and its children can no longer gain
/// privileges, which lets an unprivileged thread install filters.
///
/// # Errors
/// The kernel's errno (`EINVAL` before Linux 3.5).
#[doc(alias = "PR_SET_NO_NEW_PRIVS")]
pub fn set_no_new_privs() -> Result<(), Errno> {
    sys::prctl_set_no_new_privs()
}

/// Whether no_new_privs is set for the calling thread.
///
/// # Errors
/// The kernel's errno (`EINVAL` before Linux 3.5).
#[doc(alias = "PR_GET_NO_NEW_PRIVS")]
pub fn no_new_privs() -> Result<bool, Errno> {
    sys::prctl_get_no_new_privs()
}

/// Installs `prog` on the calling thread (all threads with TSYNC).
///
/// The program is checked by [`verify`](VerifyError) and the flags by
/// [`FilterFlags::check`] before the kernel is called. Without flags, a
/// kernel without `seccomp(2)` (ENOSYS) gets the filter through
/// `prctl(PR_SET_SECCOMP)`.
///
/// # Errors
/// [`InstallError`]: each kernel answer has its variant.
pub fn install(prog: &[SockFilter], flags: FilterFlags) -> Result<(), InstallError> {
    if flags.contains(FilterFlags::NEW_LISTENER) {
        return Err(InstallError::Flags(
            FlagConflict::ListenerNeedsInstallListener,
        ));
    }
    install_via(&Real, prog, flags)
}

/// Installs `prog` with NEW_LISTENER added to `flags` and returns the
/// listener a supervisor reads the filter's USER_NOTIF calls from.
///
/// # Errors
/// As [`install`]; `Busy` when the chain already has a listener. There is
/// no `prctl` fallback (it cannot return a descriptor).
pub fn install_listener(prog: &[SockFilter], flags: FilterFlags) -> Result<Listener, InstallError> {
    let flags = flags.union(FilterFlags::NEW_LISTENER);
    let (fprog, cost) = prepare(prog, flags)?;
    match sys::seccomp_set_mode_filter_listener(flags.bits(), &fprog) {
        Ok(fd) => {
            INSTALLED.fetch_add(cost, Ordering::Relaxed);
            Ok(Listener(fd))
        }
        Err(e) if e == Errno::ENOSYS => Err(InstallError::Unsupported {
            seccomp: e,
            prctl: None,
        }),
        Err(e) => Err(from_errno(e, flags, cost)),
    }
}

/// The kernel entry points [`install`] uses; a test can answer for them.
pub(crate) trait Kernel {
    /// `seccomp(SECCOMP_SET_MODE_FILTER, flags, prog)` without NEW_LISTENER.
    fn seccomp_filter(&self, flags: u32, prog: &SockFprog<'_>) -> Result<usize, Errno>;
    /// `prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, prog)`.
    fn prctl_filter(&self, prog: &SockFprog<'_>) -> Result<(), Errno>;
}

/// The running kernel.
struct Real;

impl Kernel for Real {
    fn seccomp_filter(&self, flags: u32, prog: &SockFprog<'_>) -> Result<usize, Errno> {
        sys::seccomp_set_mode_filter(flags, prog)
    }
    fn prctl_filter(&self, prog: &SockFprog<'_>) -> Result<(), Errno> {
        sys::prctl_set_seccomp_filter(prog)
    }
}

/// Checks before the kernel is called: the program and the flags. Returns
/// the `sock_fprog` and the filter's cost in the kernel's count.
fn prepare(prog: &[SockFilter], flags: FilterFlags) -> Result<(SockFprog<'_>, u32), InstallError> {
    let verified = verify(prog).map_err(InstallError::Verify)?;
    flags.check().map_err(InstallError::Flags)?;
    // verify refuses more than 4096 instructions, so the length fits u16.
    let fprog = SockFprog::new(prog).ok_or(InstallError::Verify(VerifyError {
        pc: prog.len(),
        reason: Reason::TooLong(prog.len()),
    }))?;
    // `charged` already includes the kernel's per-filter overhead.
    Ok((fprog, verified.charged))
}

/// [`install`] against any [`Kernel`].
pub(crate) fn install_via<K: Kernel>(
    kernel: &K,
    prog: &[SockFilter],
    flags: FilterFlags,
) -> Result<(), InstallError> {
    let (fprog, cost) = prepare(prog, flags)?;
    let answer = match kernel.seccomp_filter(flags.bits(), &fprog) {
        Err(e) if e == Errno::ENOSYS => {
            if !flags.is_empty() {
                return Err(InstallError::Unsupported {
                    seccomp: e,
                    prctl: None,
                });
            }
            match kernel.prctl_filter(&fprog) {
                Ok(()) => Ok(0),
                Err(p) if p == Errno::EINVAL || p == Errno::ENOSYS => {
                    return Err(InstallError::Unsupported {
                        seccomp: e,
                        prctl: Some(p),
                    });
                }
                Err(p) => Err(p),
            }
        }
        other => other,
    };
    match answer {
        Ok(0) => {
            INSTALLED.fetch_add(cost, Ordering::Relaxed);
            Ok(())
        }
        // With TSYNC, a positive answer is the thread that could not sync.
        Ok(tid) => Err(InstallError::TsyncFailed { tid: tid as u32 }),
        Err(e) => Err(from_errno(e, flags, cost)),
    }
}

fn from_errno(e: Errno, flags: FilterFlags, cost: u32) -> InstallError {
    match e {
        Errno::EACCES => InstallError::Access,
        Errno::EINVAL => InstallError::Invalid { flags },
        Errno::ENOMEM => InstallError::NoMemory {
            filter: cost,
            installed: installed_cost(),
        },
        Errno::EBUSY => InstallError::Busy,
        Errno::ESRCH if flags.contains(FilterFlags::TSYNC_ESRCH) => InstallError::TsyncEsrch,
        Errno::EFAULT => InstallError::Fault,
        Errno::ENOSYS => InstallError::Unsupported {
            seccomp: e,
            prctl: None,
        },
        e => InstallError::Kernel(e),
    }
}

/// Whether the kernel supports this exact action value
/// (`SECCOMP_GET_ACTION_AVAIL`): `Errno(5)` is refused even where `ERRNO`
/// is supported; probe data-less values ([`Action::ALL`]).
///
/// # Errors
/// Answers other than 0 and EOPNOTSUPP (ENOSYS without `seccomp(2)`,
/// EINVAL on kernels before 4.14).
#[doc(alias = "SECCOMP_GET_ACTION_AVAIL")]
pub fn action_available(action: Action) -> Result<bool, Errno> {
    match sys::seccomp_get_action_avail(action.to_ret()) {
        Ok(()) => Ok(true),
        Err(Errno::EOPNOTSUPP) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Whether the kernel knows these flags and accepts them together: it is
/// asked to install a NULL program with them, which it refuses with
/// EFAULT when the flags are fine and with EINVAL when they are not.
/// Nothing is installed. Probe a flag with what it [requires](FilterFlags::required).
///
/// # Errors
/// Other answers (ENOSYS without `seccomp(2)`).
pub fn flag_known(flags: FilterFlags) -> Result<bool, Errno> {
    match sys::seccomp_probe_flags(flags.bits()) {
        Err(Errno::EFAULT) | Ok(_) => Ok(true),
        Err(Errno::EINVAL) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Every single flag the kernel knows, each probed with what it requires.
///
/// # Errors
/// As [`flag_known`].
pub fn known_flags() -> Result<FilterFlags, Errno> {
    let mut known = FilterFlags::empty();
    for flag in FilterFlags::all().iter() {
        if flag_known(flag.union(flag.required()))? {
            known = known.union(flag);
        }
    }
    Ok(known)
}

/// The kernel's sizes of the user-notification structures
/// (`SECCOMP_GET_NOTIF_SIZES`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct NotifSizes {
    /// `sizeof(struct seccomp_notif)` (80 on 6.x).
    pub notif: u16,
    /// `sizeof(struct seccomp_notif_resp)` (24).
    pub notif_resp: u16,
    /// `sizeof(struct seccomp_data)` (64).
    pub data: u16,
}

/// The kernel's sizes of the user-notification structures.
///
/// # Errors
/// The kernel's errno (EINVAL before Linux 5.0, ENOSYS without
/// `seccomp(2)`).
#[doc(alias = "SECCOMP_GET_NOTIF_SIZES")]
pub fn notif_sizes() -> Result<NotifSizes, Errno> {
    let [notif, notif_resp, data] = sys::seccomp_get_notif_sizes()?;
    Ok(NotifSizes {
        notif,
        notif_resp,
        data,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bpf;
    use core::cell::Cell;

    const ALLOW: [SockFilter; 1] = [bpf::ret_k(crate::action::RET_ALLOW)];

    /// A kernel that answers from a script and counts the calls.
    struct Fake {
        seccomp: Result<usize, Errno>,
        prctl: Result<(), Errno>,
        seccomp_calls: Cell<u32>,
        prctl_calls: Cell<u32>,
    }

    impl Fake {
        fn new(seccomp: Result<usize, Errno>, prctl: Result<(), Errno>) -> Fake {
            Fake {
                seccomp,
                prctl,
                seccomp_calls: Cell::new(0),
                prctl_calls: Cell::new(0),
            }
        }
    }

    impl Kernel for Fake {
        fn seccomp_filter(&self, _: u32, _: &SockFprog<'_>) -> Result<usize, Errno> {
            self.seccomp_calls.set(self.seccomp_calls.get() + 1);
            self.seccomp
        }
        fn prctl_filter(&self, _: &SockFprog<'_>) -> Result<(), Errno> {
            self.prctl_calls.set(self.prctl_calls.get() + 1);
            self.prctl
        }
    }

    #[test]
    fn enosys_without_flags_falls_back_to_prctl() {
        let k = Fake::new(Err(Errno::ENOSYS), Ok(()));
        assert_eq!(install_via(&k, &ALLOW, FilterFlags::empty()), Ok(()));
        assert_eq!((k.seccomp_calls.get(), k.prctl_calls.get()), (1, 1));
    }

    #[test]
    fn enosys_with_flags_does_not_fall_back() {
        let k = Fake::new(Err(Errno::ENOSYS), Ok(()));
        assert_eq!(
            install_via(&k, &ALLOW, FilterFlags::LOG),
            Err(InstallError::Unsupported {
                seccomp: Errno::ENOSYS,
                prctl: None
            })
        );
        assert_eq!(k.prctl_calls.get(), 0);
    }

    #[test]
    fn neither_interface_is_unsupported_with_both_answers() {
        // What qemu-user answers.
        let k = Fake::new(Err(Errno::ENOSYS), Err(Errno::EINVAL));
        assert_eq!(
            install_via(&k, &ALLOW, FilterFlags::empty()),
            Err(InstallError::Unsupported {
                seccomp: Errno::ENOSYS,
                prctl: Some(Errno::EINVAL)
            })
        );
    }

    #[test]
    fn prctl_errors_are_decoded_like_seccomp_ones() {
        let k = Fake::new(Err(Errno::ENOSYS), Err(Errno::EACCES));
        assert_eq!(
            install_via(&k, &ALLOW, FilterFlags::empty()),
            Err(InstallError::Access)
        );
    }

    #[test]
    fn other_seccomp_errors_never_fall_back() {
        for e in [Errno::EACCES, Errno::EINVAL, Errno::ENOMEM, Errno::EFAULT] {
            let k = Fake::new(Err(e), Ok(()));
            assert!(install_via(&k, &ALLOW, FilterFlags::empty()).is_err());
            assert_eq!(k.prctl_calls.get(), 0, "{e}");
        }
    }

    #[test]
    fn positive_answer_is_the_thread_that_did_not_sync() {
        let k = Fake::new(Ok(4242), Ok(()));
        assert_eq!(
            install_via(&k, &ALLOW, FilterFlags::TSYNC),
            Err(InstallError::TsyncFailed { tid: 4242 })
        );
    }

    #[test]
    fn refused_before_the_kernel() {
        let k = Fake::new(Ok(0), Ok(()));
        assert!(matches!(
            install_via(&k, &[], FilterFlags::empty()),
            Err(InstallError::Verify(_))
        ));
        assert!(matches!(
            install_via(&k, &[bpf::ld_abs(3)], FilterFlags::empty()),
            Err(InstallError::Verify(_))
        ));
        assert_eq!(
            install_via(&k, &ALLOW, FilterFlags::WAIT_KILLABLE_RECV),
            Err(InstallError::Flags(
                FlagConflict::KillableRecvWithoutListener
            ))
        );
        assert_eq!(k.seccomp_calls.get(), 0);
    }

    #[test]
    fn flag_requirements() {
        use FilterFlags as F;
        assert_eq!(F::TSYNC.union(F::NEW_LISTENER).required(), F::TSYNC_ESRCH);
        assert_eq!(F::WAIT_KILLABLE_RECV.required(), F::NEW_LISTENER);
        assert_eq!(F::TSYNC.required(), F::empty());
        assert_eq!(
            F::TSYNC.union(F::NEW_LISTENER).check(),
            Err(FlagConflict::TsyncListenerWithoutEsrch)
        );
        assert_eq!(F::all().check(), Ok(()));
        for f in F::all().iter() {
            assert_eq!(f.union(f.required()).check(), Ok(()), "{f:?}");
        }
        // The const path and the runtime path agree.
        const C: Result<(), FlagConflict> = F::WAIT_KILLABLE_RECV.check();
        assert_eq!(C, F::WAIT_KILLABLE_RECV.check());
    }

    #[test]
    fn errors_say_what_to_do() {
        let s = std::format!("{}", InstallError::Access);
        assert!(s.contains("set_no_new_privs"), "{s}");
        let s = std::format!(
            "{}",
            InstallError::NoMemory {
                filter: 10,
                installed: 32000
            }
        );
        assert!(
            s.contains("10") && s.contains("32000") && s.contains("32768"),
            "{s}"
        );
        let s = std::format!(
            "{}",
            InstallError::Flags(FlagConflict::TsyncListenerWithoutEsrch)
        );
        assert!(s.contains("TSYNC_ESRCH"), "{s}");
    }
}
