//! The syscall tables: the generated Rust against `arch/`, and `arch/` and
//! the Rust API against the kernel's reference tables.

#[path = "../tools/gen_tables.rs"]
mod gen_tables;

use seccomp_bpf::{Abi, Syscall};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Regenerates `src/syscall/generated.rs` from `arch/` and fails on any
/// difference; with `SECCOMP_BPF_BLESS=1` rewrites it instead.
#[test]
fn generated_rust_matches_arch() {
    let (committed, fresh) = gen_tables::regenerate(root()).unwrap_or_else(|e| panic!("{e}"));
    let path = root().join(gen_tables::GENERATED);
    if std::env::var_os("SECCOMP_BPF_BLESS").is_some_and(|v| v == "1") {
        if committed.as_deref() != Some(fresh.as_str()) {
            std::fs::write(&path, &fresh).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            eprintln!("blessed: rewrote {}", path.display());
        }
        return;
    }
    let committed = committed.unwrap_or_else(|| panic!("{} is missing", path.display()));
    if committed != fresh {
        let line = committed
            .lines()
            .zip(fresh.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| committed.lines().count().min(fresh.lines().count()));
        panic!(
            "{} differs from what arch/ generates, first at line {}:\n  committed: {:?}\n  generated: {:?}\n\
             rerun with SECCOMP_BPF_BLESS=1 to rewrite it",
            gen_tables::GENERATED,
            line + 1,
            committed.lines().nth(line),
            fresh.lines().nth(line),
        );
    }
}

/// The reference file (`syscalls-<stem>`) for each of our ABIs, written
/// here independently of the import script so that the two check each other.
fn reference_stem(abi: Abi) -> &'static str {
    match abi {
        Abi::X86_64 => "x86_64",
        Abi::X32 => "x32",
        Abi::X86 => "i386",
        Abi::Aarch64 => "arm64",
        Abi::Arm => "arm",
        Abi::Riscv64 => "riscv64",
        Abi::Riscv32 => "riscv32",
        Abi::Loongarch64 => "loongarch64",
        Abi::Mips | Abi::Mipsel => "mipso32",
        Abi::Mips64 | Abi::Mipsel64 => "mips64",
        Abi::Mips64n32 | Abi::Mipsel64n32 => "mips64n32",
        Abi::Ppc => "powerpc",
        Abi::Ppc64 | Abi::Ppc64le => "powerpc64",
        Abi::S390 => "s390",
        Abi::S390x => "s390x",
        Abi::Parisc => "parisc",
        Abi::Parisc64 => "parisc64",
        Abi::M68k => "m68k",
        Abi::Sh | Abi::Sheb => "sh",
        Abi::Csky => "csky",
        Abi::Xtensa => "xtensa",
        other => panic!("no reference table known for {other}"),
    }
}

/// `name -> number` for the calls present in a reference file.
fn read_reference(path: &Path) -> BTreeMap<String, u32> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut out = BTreeMap::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let mut fields = line.split('\t');
        let name = fields.next().unwrap_or("").trim();
        let nr = fields.next().unwrap_or("").trim();
        if nr.is_empty() {
            continue;
        }
        let nr: u32 = nr
            .parse()
            .unwrap_or_else(|_| panic!("{}: bad line {line:?}", path.display()));
        assert!(out.insert(name.to_owned(), nr).is_none(), "{name} twice");
    }
    out
}

fn reference_dir() -> PathBuf {
    match std::env::var_os("SECCOMP_BPF_SYSCALLS_REF") {
        Some(dir) => PathBuf::from(dir),
        None => root().join("../shared/kernel-syscalls"),
    }
}

/// Cross-checks every ABI's names and numbers, in arch/ and through
/// `Syscall::nr`/`from_nr`, against the reference tables where present.
#[test]
fn tables_match_kernel_reference() {
    let dir = reference_dir();
    if !dir.is_dir() {
        println!(
            "skipped: reference syscall tables {} not found",
            dir.display()
        );
        return;
    }
    let readme = std::fs::read_to_string(dir.join("README.md")).unwrap_or_default();
    let arch = gen_tables::read_arch(&root().join(gen_tables::ARCH_DIR)).unwrap();
    let mut checked = 0;
    for &abi in Abi::ALL {
        let reference = read_reference(&dir.join(format!("syscalls-{}", reference_stem(abi))));
        assert!(reference.len() > 250, "{abi}: {} calls", reference.len());

        // arch/: exactly one table names this ABI, and it lists exactly the
        // reference's calls with the reference's numbers.
        let tables: Vec<_> = arch
            .iter()
            .filter(|t| t.abis.iter().any(|a| a == abi.name()))
            .collect();
        assert_eq!(tables.len(), 1, "{abi}: tables {tables:?}");
        let table = tables[0];
        assert!(
            readme.contains(&format!("Linux {}", table.version)),
            "arch/{}.tbl says Linux {}, the reference README does not",
            table.stem,
            table.version
        );
        let listed: BTreeMap<String, u32> = table
            .entries
            .iter()
            .map(|(nr, name)| (name.clone(), *nr))
            .collect();
        assert_eq!(
            listed, reference,
            "arch/{}.tbl vs the reference for {abi}",
            table.stem
        );

        // The Rust API: every reference number, both ways.
        for (name, &nr) in &reference {
            let call = Syscall::from_name(name)
                .unwrap_or_else(|| panic!("{abi}: {name} is not a Syscall"));
            assert_eq!(call.nr(abi), Some(nr), "{abi} {name}");
            assert_eq!(Syscall::from_nr(abi, nr), Some(call), "{abi} {nr}");
            checked += 1;
        }
        // ... and every call the reference does not number is absent.
        for &call in Syscall::ALL {
            if !reference.contains_key(call.name()) {
                assert_eq!(call.nr(abi), None, "{abi} {call} should be absent");
            }
        }
        assert_eq!(
            seccomp_bpf::syscall::table(abi).len(),
            reference.len(),
            "{abi}"
        );
    }
    // Every Syscall is present on at least one ABI.
    for &call in Syscall::ALL {
        assert!(
            Abi::ALL.iter().any(|&abi| call.nr(abi).is_some()),
            "{call} is on no ABI"
        );
    }
    println!(
        "checked {checked} (ABI, call) numbers against {}",
        dir.display()
    );
}

/// The libc crate and the running kernel agree with our numbers for the
/// native ABI. Each kernel call runs in a forked child.
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
#[test]
fn native_numbers_match_libc_and_kernel() {
    let abi = Abi::X86_64;
    assert_eq!(Abi::NATIVE, Some(abi));
    let libc_numbers: &[(Syscall, libc::c_long)] = &[
        (Syscall::read, libc::SYS_read),
        (Syscall::write, libc::SYS_write),
        (Syscall::open, libc::SYS_open),
        (Syscall::openat, libc::SYS_openat),
        (Syscall::openat2, libc::SYS_openat2),
        (Syscall::mmap, libc::SYS_mmap),
        (Syscall::clone3, libc::SYS_clone3),
        (Syscall::execve, libc::SYS_execve),
        (Syscall::exit_group, libc::SYS_exit_group),
        (Syscall::seccomp, libc::SYS_seccomp),
        (Syscall::prctl, libc::SYS_prctl),
        (Syscall::ioctl, libc::SYS_ioctl),
        (Syscall::socket, libc::SYS_socket),
        (Syscall::arch_prctl, libc::SYS_arch_prctl),
        (Syscall::pidfd_open, libc::SYS_pidfd_open),
        (Syscall::getpid, libc::SYS_getpid),
        (Syscall::gettid, libc::SYS_gettid),
        (Syscall::getppid, libc::SYS_getppid),
        (Syscall::getuid, libc::SYS_getuid),
        (Syscall::getegid, libc::SYS_getegid),
    ];
    for &(call, sys) in libc_numbers {
        assert_eq!(call.nr(abi).map(libc::c_long::from), Some(sys), "{call}");
    }

    // The kernel: calls without side effects, by our number, give what
    // libc's wrappers give.
    type Case = (Syscall, fn() -> libc::c_long);
    let cases: &[Case] = &[
        // SAFETY (test code): these libc wrappers take no arguments and
        // cannot fail.
        (Syscall::getpid, || unsafe { libc::getpid() }.into()),
        (Syscall::getppid, || unsafe { libc::getppid() }.into()),
        (Syscall::gettid, || unsafe { libc::gettid() }.into()),
        (Syscall::getuid, || unsafe { libc::getuid() }.into()),
        (Syscall::getegid, || unsafe { libc::getegid() }.into()),
    ];
    for &(call, wrapper) in cases {
        let nr = libc::c_long::from(call.nr(abi).unwrap());
        // SAFETY (test code): fork in a test; the child only makes raw
        // system calls and leaves with _exit.
        let pid = unsafe { libc::fork() };
        assert!(pid >= 0, "fork failed");
        if pid == 0 {
            // SAFETY: the call takes no arguments and has no side effects.
            let got = unsafe { libc::syscall(nr) };
            let code = if got == wrapper() { 0 } else { 1 };
            // SAFETY: leaving the forked child without running the test
            // harness's exit code.
            unsafe { libc::_exit(code) };
        }
        let mut status = 0;
        // SAFETY: waiting for the child forked above.
        let waited = unsafe { libc::waitpid(pid, &mut status, 0) };
        assert_eq!(waited, pid);
        assert!(
            libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
            "{call} by number {nr} disagrees with libc's wrapper (status {status:#x})"
        );
    }
}
