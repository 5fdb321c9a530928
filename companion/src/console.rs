//! The companion is a background program on Windows (no console window of its own). When
//! someone runs it from a command prompt — `ukemi-companion doctor`, `--version`, `config` —
//! it borrows that prompt's console so its answers are seen; and a password typed there is
//! not shown.

use std::sync::atomic::{AtomicBool, Ordering};

static VISIBLE: AtomicBool = AtomicBool::new(true);

/// Whether what this process prints can be seen (after `attach_parent`): false for a
/// Windows program started from the Start menu, which has no console.
pub fn visible() -> bool {
    VISIBLE.load(Ordering::Relaxed)
}

/// Attaches to the console of the program that started this one, when there is one and
/// nothing else was given as standard output. Returns whether output can be seen.
pub fn attach_parent() -> bool {
    let visible = attach();
    VISIBLE.store(visible, Ordering::Relaxed);
    visible
}

#[cfg(windows)]
fn attach() -> bool {
    use windows_sys::Win32::System::Console::{
        AttachConsole, GetStdHandle, ATTACH_PARENT_PROCESS, STD_OUTPUT_HANDLE,
    };
    // SAFETY: plain Win32 calls without pointers.
    unsafe {
        let out = GetStdHandle(STD_OUTPUT_HANDLE);
        if out != 0 && out != windows_sys::Win32::Foundation::INVALID_HANDLE_VALUE {
            return true;
        }
        AttachConsole(ATTACH_PARENT_PROCESS) != 0
    }
}

#[cfg(not(windows))]
fn attach() -> bool {
    true
}

/// Terminal echo off while this lives (for a password prompt).
pub struct EchoOff {
    #[cfg(unix)]
    was_tty: bool,
    #[cfg(windows)]
    mode: Option<(windows_sys::Win32::Foundation::HANDLE, u32)>,
}

impl EchoOff {
    #[cfg(unix)]
    pub fn new() -> EchoOff {
        use std::io::IsTerminal;
        let was_tty = std::io::stdin().is_terminal()
            && std::process::Command::new("stty")
                .arg("-echo")
                .stdin(std::process::Stdio::inherit())
                .status()
                .is_ok_and(|s| s.success());
        EchoOff { was_tty }
    }

    #[cfg(windows)]
    pub fn new() -> EchoOff {
        use windows_sys::Win32::System::Console::{
            GetConsoleMode, GetStdHandle, SetConsoleMode, ENABLE_ECHO_INPUT, STD_INPUT_HANDLE,
        };
        // SAFETY: `mode` is a valid out-pointer; the handle comes from GetStdHandle.
        unsafe {
            let h = GetStdHandle(STD_INPUT_HANDLE);
            let mut mode = 0u32;
            if GetConsoleMode(h, &mut mode) == 0 {
                return EchoOff { mode: None };
            }
            SetConsoleMode(h, mode & !ENABLE_ECHO_INPUT);
            EchoOff {
                mode: Some((h, mode)),
            }
        }
    }

    #[cfg(not(any(unix, windows)))]
    pub fn new() -> EchoOff {
        EchoOff {}
    }
}

impl Default for EchoOff {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for EchoOff {
    fn drop(&mut self) {
        #[cfg(unix)]
        if self.was_tty {
            let _ = std::process::Command::new("stty")
                .arg("echo")
                .stdin(std::process::Stdio::inherit())
                .status();
        }
        #[cfg(windows)]
        if let Some((h, mode)) = self.mode {
            // SAFETY: restores the mode read from the same handle.
            unsafe {
                windows_sys::Win32::System::Console::SetConsoleMode(h, mode);
            }
        }
    }
}
