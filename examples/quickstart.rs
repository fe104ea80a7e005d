//! The main job, end to end:
//!
//! 1. assemble a small filter with the core API, verify it as the kernel's
//!    loader would, print its disassembly, and run calls through the
//!    interpreter;
//! 2. compile a policy in a `const` item, show it, and install it on this
//!    process, then watch the kernel enforce it.
//!
//! Run it with `cargo run --example quickstart`.

use seccomp_bpf::bpf::{self, SockFilter};
use seccomp_bpf::policy::{Cond, Policy, Rule};
use seccomp_bpf::{Abi, Action, Filter, FilterFlags, SeccompData, Syscall, data, install};

/// The ABI the filter is written for.
const ABI: Abi = Abi::X86_64;

/// Allow getpid; fail getppid with EPERM unless its first argument is 7;
/// fail everything else with ENOSYS; kill calls from any other ABI and x32.
const FILTER: [SockFilter; 13] = [
    bpf::ld_abs(data::ARCH),
    bpf::jeq_k(ABI.audit_arch(), 1, 0),
    bpf::ret_k(Action::KillProcess.to_ret()),
    bpf::ld_abs(data::NR),
    bpf::jge_k(seccomp_bpf::abi::X32_SYSCALL_BIT, 7, 0),
    bpf::jeq_k(nr(Syscall::getpid), 5, 0),
    bpf::jeq_k(nr(Syscall::getppid), 1, 0),
    bpf::ret_k(Action::Errno(38).to_ret()),
    bpf::ld_abs(data::arg_lo(0, ABI.byte_order())),
    bpf::jeq_k(7, 1, 0),
    bpf::ret_k(Action::Errno(1).to_ret()),
    bpf::ret_k(Action::Allow.to_ret()),
    bpf::ret_k(Action::KillProcess.to_ret()),
];

/// The number of a call on [`ABI`], at compile time.
const fn nr(s: Syscall) -> u32 {
    match s.nr(ABI) {
        Some(n) => n,
        None => panic!("syscall missing on the ABI"),
    }
}

// The filter is checked when the crate compiles, not when it runs.
const _: () = assert!(bpf::verify(&FILTER).is_ok());

/// The policy installed in part 2: everything this program needs stays
/// allowed; opening files fails with EACCES, IPv6 sockets with
/// EAFNOSUPPORT (the domain is an `int`: compare the low 32 bits only), and
/// the kernel kills the process for `ptrace`.
const RULES: [Rule; 4] = [
    Rule::new(Syscall::openat, Action::Errno(13)),
    Rule::new(Syscall::open, Action::Errno(13)),
    Rule::when(
        Syscall::socket,
        &[Cond::eq(0, 10).low32()],
        Action::Errno(97),
    ),
    Rule::new(Syscall::ptrace, Action::KillProcess),
];
const POLICY: Policy = Policy::new(Action::Allow, &[NATIVE], &RULES);
const NATIVE: Abi = match Abi::NATIVE {
    Some(abi) => abi,
    None => panic!("no native ABI"),
};
/// Compiled while the example builds.
const COMPILED: Filter<64> = Filter::new_or_panic(&POLICY);

fn main() {
    part1();
    println!();
    part2();
}

fn part1() {
    println!("== 1. a filter assembled by hand");
    let v = bpf::verify(&FILTER).expect("the filter is valid");
    println!("verify: ok, {} instructions, {} charged", v.len, v.charged);
    println!();
    print!("{}", bpf::Disasm::new(&FILTER).abi(ABI));
    println!();
    let calls: [(&str, SeccompData); 5] = [
        ("getpid()", call(ABI, Syscall::getpid, 0)),
        ("getppid(7)", call(ABI, Syscall::getppid, 7)),
        ("getppid(0)", call(ABI, Syscall::getppid, 0)),
        ("openat()", call(ABI, Syscall::openat, 0)),
        ("i386 getpid()", call(Abi::X86, Syscall::getpid, 0)),
    ];
    for (what, data) in calls {
        let o = bpf::run(&FILTER, ABI.byte_order(), &data).expect("verified");
        println!("{what:<14} -> {} ({} instructions)", o.action(), o.executed);
    }
}

fn part2() {
    println!("== 2. a policy compiled at compile time, installed on this process");
    print!("{}", bpf::Disasm::new(&COMPILED).abi(NATIVE));
    let v = bpf::verify(&COMPILED).expect("compiled filters verify");
    println!("{} instructions, {} charged", v.len, v.charged);

    let before = std::fs::read("/proc/self/status").map(|b| b.len());
    println!("before: read /proc/self/status -> {before:?}");
    install::set_no_new_privs().expect("no_new_privs");
    install::install(&COMPILED, FilterFlags::empty()).expect("install");
    println!("filter installed");

    match std::fs::read("/proc/self/status") {
        Ok(_) => println!("after:  read /proc/self/status -> allowed?!"),
        Err(e) => println!("after:  read /proc/self/status -> {e}"),
    }
    match std::net::TcpListener::bind("[::1]:0") {
        Ok(_) => println!("after:  IPv6 socket -> allowed?!"),
        Err(e) => println!("after:  IPv6 socket -> {e}"),
    }
    let v4 = std::net::TcpListener::bind("127.0.0.1:0").map(|l| l.local_addr().is_ok());
    println!("after:  IPv4 socket -> {v4:?}");
}

fn call(abi: Abi, s: Syscall, arg0: u64) -> SeccompData {
    let nr = s.nr(abi).expect("call exists on the ABI");
    SeccompData::new(nr as i32, abi.audit_arch(), [arg0, 0, 0, 0, 0, 0])
}
