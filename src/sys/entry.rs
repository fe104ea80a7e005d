//! Process entry for `#![no_std]`, `#![no_main]` static binaries: the
//! initial stack the kernel builds, read safely.
//!
//! At `_start` the stack pointer points at `argc`, followed by `argc`
//! pointers to the arguments, a NULL, the environment pointers and a NULL
//! (then the auxiliary vector). Each string is NUL-terminated and lives as
//! long as the process.

/// The initial stack pointer handed to `_start`. Only the `_start` that
/// [`entry!`](crate::entry) emits creates one (it has no public
/// constructor), so [`enter`] can trust it.
#[repr(transparent)]
pub struct StackPointer(*const usize);

/// Called by `_start`: reads the arguments, runs `main`, and exits the
/// process with its return value.
pub fn enter(sp: StackPointer, main: fn(Args) -> i32) -> ! {
    let base = sp.0;
    // SAFETY: `sp` comes from `_start`, where it points at argc on the
    // kernel-built initial stack, which stays mapped for the process.
    let argc = unsafe { base.read() };
    // SAFETY: argv follows argc on that stack.
    let argv = unsafe { base.add(1) } as *const *const u8;
    // SAFETY: argv has argc entries and a NULL; the environment follows.
    let envp = unsafe { argv.add(argc.saturating_add(1)) };
    let code = main(Args { argc, argv, envp });
    super::exit_group(code)
}

/// The program's arguments and environment, as the kernel passed them.
#[derive(Clone, Copy, Debug)]
pub struct Args {
    argc: usize,
    argv: *const *const u8,
    envp: *const *const u8,
}

impl Args {
    /// The number of arguments (`argc`), the program name included.
    pub const fn len(&self) -> usize {
        self.argc
    }

    /// Whether there are no arguments at all (not even a program name).
    pub const fn is_empty(&self) -> bool {
        self.argc == 0
    }

    /// Argument `i` without its NUL, or `None` past the end.
    pub fn get(&self, i: usize) -> Option<&'static [u8]> {
        if i >= self.argc {
            return None;
        }
        // SAFETY: i < argc, so argv[i] is one of the kernel's pointers.
        let p = unsafe { self.argv.add(i).read() };
        // SAFETY: a non-NULL argv entry is a NUL-terminated string that
        // lives for the whole process.
        Some(unsafe { cstr(p) })
    }

    /// The arguments, the program name first.
    pub fn iter(&self) -> ArgIter {
        ArgIter {
            next: self.argv,
            left: self.argc,
        }
    }

    /// The environment strings (`NAME=value`).
    pub fn env(&self) -> ArgIter {
        ArgIter {
            next: self.envp,
            left: usize::MAX,
        }
    }
}

/// Iterates over NUL-terminated strings of the initial stack, as byte
/// slices without the NUL.
#[derive(Clone, Debug)]
pub struct ArgIter {
    next: *const *const u8,
    left: usize,
}

impl Iterator for ArgIter {
    type Item = &'static [u8];

    fn next(&mut self) -> Option<&'static [u8]> {
        if self.left == 0 {
            return None;
        }
        // SAFETY: `next` points into a NULL-terminated pointer array on the
        // initial stack, and we stop at its NULL or after `left` entries.
        let p = unsafe { self.next.read() };
        if p.is_null() {
            self.left = 0;
            return None;
        }
        self.left -= 1;
        // SAFETY: the NULL has not been passed, so the next entry exists.
        self.next = unsafe { self.next.add(1) };
        // SAFETY: each entry is a NUL-terminated string living as long as
        // the process.
        Some(unsafe { cstr(p) })
    }
}

/// # Safety
/// `p` must point at a NUL-terminated string that is never freed.
unsafe fn cstr(p: *const u8) -> &'static [u8] {
    if p.is_null() {
        return &[];
    }
    let mut n = 0usize;
    // SAFETY: the string is NUL-terminated, so every byte up to the NUL
    // is readable.
    while unsafe { p.add(n).read() } != 0 {
        n += 1;
    }
    // SAFETY: the n bytes before the NUL are readable and never freed.
    unsafe { core::slice::from_raw_parts(p, n) }
}

/// Defines the process entry point `_start` of a `#![no_std]`,
/// `#![no_main]` static binary and runs a safe `fn(Args) -> i32` from it;
/// its return value is the exit status (through `exit_group`).
///
/// ```ignore
/// #![no_std]
/// #![no_main]
/// use seccomp_bpf::sys::{self, Args};
///
/// seccomp_bpf::entry!(main);
///
/// fn main(args: Args) -> i32 {
///     let _ = sys::write(1, b"hello\n");
///     args.len() as i32
/// }
///
/// #[panic_handler]
/// fn panic(_: &core::panic::PanicInfo) -> ! {
///     sys::exit_group(101)
/// }
/// ```
///
/// Link the binary static and without the C start files (for example
/// `-C link-arg=-nostartfiles -C link-arg=-static`, or rust-lld). The
/// expansion is an item (`global_asm!`), which the `unsafe_code` lint
/// counts as unsafe: a crate with `#![forbid(unsafe_code)]` cannot use it,
/// `#![deny(unsafe_code)]` can, as the expansion allows it locally.
#[macro_export]
macro_rules! entry {
    ($main:path) => {
        extern "C" fn __seccomp_bpf_start(sp: $crate::sys::StackPointer) -> ! {
            $crate::sys::enter(sp, $main)
        }
        $crate::__seccomp_bpf_start_asm!(__seccomp_bpf_start);
    };
}
