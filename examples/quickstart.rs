//! The main job, end to end: assemble a small filter with the core API,
//! verify it as the kernel's loader would, print its disassembly, and run
//! calls through the interpreter.
//!
//! Run it with `cargo run --example quickstart`.

use seccomp_bpf::bpf::{self, SockFilter};
use seccomp_bpf::{Abi, Action, SeccompData, Syscall, data};

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

fn main() {
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

fn call(abi: Abi, s: Syscall, arg0: u64) -> SeccompData {
    let nr = s.nr(abi).expect("call exists on the ABI");
    SeccompData::new(nr as i32, abi.audit_arch(), [arg0, 0, 0, 0, 0, 0])
}
