//! One policy, compiled twice by the same `const fn`: at compile time into
//! a `const` item, and at run time into a local.
//!
//! `cargo run --example const_policy` prints both programs' lengths, checks
//! they are the same, and asks the policy and the filter about a few calls.

use seccomp_bpf::policy::{Cond, Policy, Rule};
use seccomp_bpf::{Abi, Action, Filter, SeccompData, Syscall, bpf, compile};

/// `socket(AF_NETLINK, ...)` fails with EINVAL, other sockets are allowed,
/// `close` only on descriptors above 2, plain I/O allowed, the rest ENOSYS.
const RULES: [Rule; 6] = [
    Rule::new(Syscall::read, Action::Allow),
    Rule::new(Syscall::write, Action::Allow),
    Rule::new(Syscall::exit_group, Action::Allow),
    Rule::when(Syscall::close, &[Cond::gt(0, 2).low32()], Action::Allow),
    Rule::when(
        Syscall::socket,
        &[Cond::eq(0, 16).low32()],
        Action::Errno(22),
    ),
    Rule::new(Syscall::socket, Action::Allow),
];

const POLICY: Policy = Policy::new(Action::Errno(38), &[Abi::X86_64, Abi::X86], &RULES);

/// Compiled while the crate builds; a policy error would stop the build.
const FILTER: Filter<128> = Filter::new_or_panic(&POLICY);

/// The same, trimmed to its exact length, still at compile time.
const EXACT: Filter<{ FILTER.len() }> = FILTER.resize_or_panic();

fn main() {
    let at_run_time = compile::<128>(&POLICY).expect("the policy compiles");
    assert_eq!(&at_run_time[..], &FILTER[..]);
    assert_eq!(&EXACT[..], &FILTER[..]);
    bpf::verify(&FILTER).expect("the kernel would accept it");
    println!(
        "{} instructions, the same at compile time and at run time",
        FILTER.len()
    );

    let socket = Syscall::socket.nr(Abi::X86_64).unwrap();
    let close = Syscall::close.nr(Abi::X86_64).unwrap();
    for (abi, nr, args) in [
        (Abi::X86_64, socket, [16, 3, 0, 0, 0, 0]),
        (Abi::X86_64, socket, [2, 1, 0, 0, 0, 0]),
        (Abi::X86_64, close, [1, 0, 0, 0, 0, 0]),
        (Abi::X86_64, close, [0xffff_ffff_0000_0007, 0, 0, 0, 0, 0]),
        (Abi::X86_64, 0x4000_0000, [0; 6]),
        (Abi::Aarch64, 63, [0; 6]),
    ] {
        let want = POLICY.evaluate(abi, nr, &args).unwrap();
        let data = SeccompData::new(nr as i32, abi.audit_arch(), args);
        let got = bpf::run(&FILTER, abi.byte_order(), &data).unwrap();
        assert_eq!(Action::from_ret(got.ret), want);
        println!(
            "{abi:>8} nr {nr:#x} arg0 {:#x}: {want} ({} instructions run)",
            args[0], got.executed
        );
    }
}
