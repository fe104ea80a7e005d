//! Build, check, explain and install seccomp-BPF syscall filters, with no
//! std, no heap and no libc.
//!
//! seccomp lets a process restrict the system calls it and its children may
//! make, with a classic-BPF program the kernel runs on every call. This
//! crate gives that program a typed shape and makes it visible:
//!
//! - [`bpf`]: the instruction type, opcodes and `const fn` constructors;
//!   [`bpf::verify()`] checks a program as the kernel's loader does,
//!   [`bpf::run()`] interprets it, [`bpf::Disasm`] prints it;
//! - [`Abi`]: every ABI seccomp can filter, with its audit arch, byte
//!   order and numbering quirks;
//! - [`Syscall`]: system-call names across ABIs, with `const fn` lookups;
//! - [`data`]: the layout of `seccomp_data` as a filter reads it;
//! - [`Action`]: the return actions and their precedence;
//! - [`notify`] (Linux): the supervisor side of
//!   [`Action::UserNotif`]: receive, answer, check and inject.
//! - [`audit`]: a linter for any filter, from the program alone.
//!
//! ```
//! use seccomp_bpf::{bpf, data, Abi, Action};
//!
//! // Allow getpid on x86_64, fail everything else with ENOSYS.
//! const PROG: [bpf::SockFilter; 6] = [
//!     bpf::ld_abs(data::ARCH),
//!     bpf::jeq_k(Abi::X86_64.audit_arch(), 1, 0),
//!     bpf::ret_k(Action::KillProcess.to_ret()),
//!     bpf::ld_abs(data::NR),
//!     bpf::jeq_k(39, 1, 0),
//!     bpf::ret_k(Action::Errno(38).to_ret()),
//! ];
//! # let _ = PROG;
//! ```

#![no_std]
#![deny(unsafe_code)]
#![warn(missing_docs)]

#[cfg(any(test, feature = "std"))]
extern crate std;

pub mod abi;
pub mod action;
pub mod audit;
pub mod bpf;
pub mod compile;
pub mod data;
pub mod groups;
#[cfg(feature = "oci")]
pub mod oci;
pub mod parse;
pub mod policy;
pub mod syscall;

/// The README's examples, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
#[cfg(any(target_os = "linux", target_os = "android", target_os = "none"))]
pub mod install;
#[cfg(any(target_os = "linux", target_os = "android", target_os = "none"))]
pub mod notify;
#[cfg(any(target_os = "linux", target_os = "android", target_os = "none"))]
pub mod sys;
#[cfg(any(target_os = "linux", target_os = "android", target_os = "none"))]
pub mod trap;

pub use abi::{Abi, ByteOrder};
pub use action::Action;
pub use compile::{CompileError, Filter, compile};
pub use data::SeccompData;
pub use groups::Group;
#[cfg(any(target_os = "linux", target_os = "android", target_os = "none"))]
pub use install::{FilterFlags, InstallError, Listener, install, install_listener};
pub use policy::{Cond, Policy, Rule};
#[cfg(any(target_os = "linux", target_os = "android", target_os = "none"))]
pub use sys::Errno;
pub use syscall::Syscall;
