//! The compiler's targets on podman's default profile (no capabilities),
//! compiled in `const` items without raising any const-eval limit.

mod podman;

use seccomp_bpf::bpf::{self, SockFilter};
use seccomp_bpf::{Abi, Filter, SeccompData, syscall};

const X86_64: Filter<512> = Filter::new_or_panic(&podman::X86_64);
const X86_FAMILY: Filter<1024> = Filter::new_or_panic(&podman::X86_FAMILY);
const ARM_FAMILY: Filter<1024> = Filter::new_or_panic(&podman::ARM_FAMILY);

/// (mean, max) instructions executed over every call number of `abi`,
/// with zero arguments.
fn executed(prog: &[SockFilter], abi: Abi) -> (f64, usize) {
    let table = syscall::table(abi);
    let mut total = 0;
    let mut max = 0;
    for &(nr, _) in table {
        let data = SeccompData::new(nr as i32, abi.audit_arch(), [0; 6]);
        let out = bpf::run(prog, abi.byte_order(), &data).unwrap();
        total += out.executed;
        max = max.max(out.executed);
    }
    (total as f64 / table.len() as f64, max)
}

#[test]
fn x86_64_length_and_executed_counts() {
    bpf::verify(&X86_64).unwrap();
    let (mean, max) = executed(&X86_64, Abi::X86_64);
    println!(
        "x86_64: length {}, executed mean {mean:.2} max {max}",
        X86_64.len()
    );
    assert!(X86_64.len() <= 90, "length {}", X86_64.len());
    assert!(mean <= 10.0, "mean {mean}");
    assert!(max <= 14, "max {max}");
}

#[test]
fn x86_family_length() {
    bpf::verify(&X86_FAMILY).unwrap();
    for abi in [Abi::X86_64, Abi::X86, Abi::X32] {
        let (mean, max) = executed(&X86_FAMILY, abi);
        println!("x86 family, {abi}: executed mean {mean:.2} max {max}");
    }
    println!("x86_64+x86+x32: length {}", X86_FAMILY.len());
    assert!(X86_FAMILY.len() <= 360, "length {}", X86_FAMILY.len());
}

#[test]
fn arm_family_length() {
    bpf::verify(&ARM_FAMILY).unwrap();
    for abi in [Abi::Aarch64, Abi::Arm] {
        let (mean, max) = executed(&ARM_FAMILY, abi);
        println!("arm family, {abi}: executed mean {mean:.2} max {max}");
    }
    println!("aarch64+arm: length {}", ARM_FAMILY.len());
    assert!(ARM_FAMILY.len() <= 240, "length {}", ARM_FAMILY.len());
}

/// Every call the policy allows whatever its arguments is served by the
/// kernel's constant-action cache: its path holds only nr/arch loads,
/// JEQ/JGE/JGT/JSET with K, JA, and RET K of exactly ALLOW.
#[test]
fn argument_independent_allows_are_cacheable() {
    for (filter, abis) in [
        (&X86_64[..], &[Abi::X86_64][..]),
        (&X86_FAMILY[..], &[Abi::X86_64, Abi::X86][..]),
        (&ARM_FAMILY[..], &[Abi::Aarch64, Abi::Arm][..]),
    ] {
        let policy = podman::X86_64.with_abis(abis);
        let mut cached = 0;
        for &abi in abis {
            for &(nr, call) in syscall::table(abi) {
                let depends = podman::RULES.iter().any(|r| {
                    !r.conds.is_empty() && r.target == seccomp_bpf::policy::Target::Syscall(call)
                });
                if depends {
                    continue;
                }
                let want = policy.evaluate(abi, nr, &[0; 6]).unwrap();
                if want != seccomp_bpf::Action::Allow {
                    continue;
                }
                let data = SeccompData::new(nr as i32, abi.audit_arch(), [0; 6]);
                let mut ok = true;
                let mut last = 0;
                bpf::run_traced(filter, abi.byte_order(), &data, &mut |s| {
                    last = s.insn.k;
                    ok &= cache_friendly(s.insn);
                })
                .unwrap();
                assert!(
                    ok && last == 0x7fff_0000,
                    "{abi} {call}: path not cacheable"
                );
                // And the crate's model of the kernel's cache agrees.
                assert!(
                    bpf::cache::is_const_allow(filter, abi.audit_arch(), nr),
                    "{abi} {call}"
                );
                cached += 1;
            }
        }
        assert!(cached > 300);
    }
}

fn cache_friendly(i: SockFilter) -> bool {
    use bpf::op::*;
    match i.code {
        c if c == LD | W | ABS => i.k == 0 || i.k == 4,
        c if c == JMP | JA => true,
        c if c == JMP | JEQ | K
            || c == JMP | JGE | K
            || c == JMP | JGT | K
            || c == JMP | JSET | K =>
        {
            true
        }
        c if c == ALU | AND | K => true,
        c if c == RET | K => true,
        _ => false,
    }
}
