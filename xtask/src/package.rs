//! `cargo xtask package`: what a clinic downloads, built into `target/package/`.
//!
//! - `ukemi-companion-VERSION-windows-x86_64.exe`: the companion for Windows, cross-compiled
//!   with Debian's mingw-w64 (x86_64-pc-windows-gnu, PC/SC through winscard). Checked: it
//!   imports only Windows' own DLLs, and carries none of the developers' tools.
//! - `ukemi-companion-setup-VERSION.exe`: the per-user NSIS installer
//!   (packaging/windows/ukemi.nsi).
//! - `ukemi-companion_VERSION_amd64.deb`: the Linux companion with a systemd user unit
//!   (packaging/debian/), put together with dpkg-deb.
//!
//! Each stage prints how long it took; sizes and SHA-256 sums are printed and written to
//! `SHA256SUMS`. The Windows build is cached in target/ like any cargo build.

use crate::cmd::{self, command, run, Result};
use crate::install;
use std::path::{Path, PathBuf};
use std::time::Instant;

pub const WINDOWS_TARGET: &str = "x86_64-pc-windows-gnu";

/// Debian packages the package step needs (marker files tell whether they are there).
pub const PACKAGE_PACKAGES: &[(&str, &str)] = &[
    (
        "gcc-mingw-w64-x86-64-win32",
        "/usr/bin/x86_64-w64-mingw32-gcc",
    ),
    (
        "binutils-mingw-w64-x86-64",
        "/usr/bin/x86_64-w64-mingw32-objdump",
    ),
    ("nsis", "/usr/bin/makensis"),
    ("binutils", "/usr/bin/strip"),
    ("libpcsclite-dev", "/usr/include/PCSC/winscard.h"),
    ("pkg-config", "/usr/bin/pkg-config"),
];

/// DLLs every Windows 10/11 has. Anything else (libgcc_s, libwinpthread …) would have to
/// be shipped beside the .exe, and is refused.
const WINDOWS_DLLS: &[&str] = &[
    "advapi32.dll",
    "bcrypt.dll",
    "bcryptprimitives.dll",
    "crypt32.dll",
    "iphlpapi.dll",
    "kernel32.dll",
    "msvcrt.dll",
    "ntdll.dll",
    "ole32.dll",
    "oleaut32.dll",
    "secur32.dll",
    "shell32.dll",
    "user32.dll",
    "userenv.dll",
    "winscard.dll",
    "ws2_32.dll",
    "api-ms-win-core-synch-l1-2-0.dll",
];

/// Text only the developers' tools contain (the simulated service's usage, the test PKI's
/// names, rcgen's own): none may be in a clinic's binary.
const DEV_ONLY_MARKERS: &[&str] = &[
    "ukemi-devtools",
    "Ukemi TEST eligibility service CA",
    "simulated eligibility service on https",
    "rcgen",
    "vpcd",
];

pub struct Packages {
    pub windows_exe: PathBuf,
    pub installer: PathBuf,
    pub deb: PathBuf,
}

pub fn package_dir() -> PathBuf {
    cmd::root().join("target").join("package")
}

/// Runs `f` as a named stage and prints how long it took.
pub fn stage<T>(name: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
    let started = Instant::now();
    println!("\n==> {name}");
    let out = f();
    println!(
        "<== {name}: {:.1} s{}",
        started.elapsed().as_secs_f64(),
        if out.is_ok() { "" } else { " (failed)" }
    );
    out
}

pub fn version() -> Result<String> {
    let toml = std::fs::read_to_string(cmd::root().join("Cargo.toml"))
        .map_err(|e| format!("Cargo.toml: {e}"))?;
    toml.lines()
        .skip_while(|l| l.trim() != "[workspace.package]")
        .find_map(|l| l.trim().strip_prefix("version = \""))
        .map(|v| v.trim_end_matches('"').to_string())
        .ok_or_else(|| "no version in Cargo.toml's [workspace.package]".into())
}

fn commit() -> String {
    cmd::output("git", &["rev-parse", "--short=10", "HEAD"])
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|| "unknown".into())
}

pub fn install() -> Result {
    let installed = cmd::output("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    if !installed.lines().any(|l| l.trim() == WINDOWS_TARGET) {
        run(command("rustup").args(["target", "add", WINDOWS_TARGET]))?;
    }
    install::debian(PACKAGE_PACKAGES)
}

pub fn all() -> Result<Packages> {
    stage("package: install mingw-w64, NSIS", install)?;
    let version = version()?;
    let out = package_dir();
    std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    let windows_exe = stage(
        "package: Windows companion (cross-compiled, release)",
        || windows_exe(&version, &out),
    )?;
    let installer = stage("package: NSIS installer", || {
        nsis(&version, &windows_exe, &out)
    })?;
    let (linux_bin, deb) = stage("package: Debian package", || deb(&version, &out))?;
    stage("package: sizes and SHA-256", || {
        sums(&out, &[&windows_exe, &installer, &deb, &linux_bin])
    })?;
    Ok(Packages {
        windows_exe,
        installer,
        deb,
    })
}

fn cargo_release(target: Option<&str>) -> std::process::Command {
    let mut c = command(&cmd::cargo());
    c.args([
        "build",
        "--release",
        "-p",
        "ukemi-companion",
        "--features",
        "pcsc",
    ]);
    if let Some(t) = target {
        c.args(["--target", t]);
    }
    c.env("UKEMI_BUILD_COMMIT", commit());
    c
}

fn windows_exe(version: &str, out: &Path) -> Result<PathBuf> {
    run(cargo_release(Some(WINDOWS_TARGET)).env(
        "CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER",
        "x86_64-w64-mingw32-gcc",
    ))?;
    let built = cmd::root()
        .join("target")
        .join(WINDOWS_TARGET)
        .join("release")
        .join("ukemi-companion.exe");
    let exe = out.join(format!("ukemi-companion-{version}-windows-x86_64.exe"));
    run(command("x86_64-w64-mingw32-strip")
        .arg("-o")
        .arg(&exe)
        .arg(&built))?;
    check_windows_imports(&exe)?;
    check_no_dev_tools(&exe)?;
    Ok(exe)
}

/// The DLLs `exe` imports must all be Windows' own.
fn check_windows_imports(exe: &Path) -> Result {
    let dump = command("x86_64-w64-mingw32-objdump")
        .arg("-p")
        .arg(exe)
        .output()
        .map_err(|e| format!("objdump: {e}"))?;
    let text = String::from_utf8_lossy(&dump.stdout);
    let dlls: Vec<String> = text
        .lines()
        .filter_map(|l| l.trim().strip_prefix("DLL Name: "))
        .map(|d| d.trim().to_ascii_lowercase())
        .collect();
    if dlls.is_empty() {
        return Err(format!("{}: no DLL imports found (objdump)", exe.display()));
    }
    let foreign: Vec<&String> = dlls
        .iter()
        .filter(|d| !WINDOWS_DLLS.contains(&d.as_str()))
        .collect();
    println!("imports: {}", dlls.join(", "));
    if foreign.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{} needs DLLs Windows does not have: {foreign:?}",
            exe.display()
        ))
    }
}

/// The clinic's binary must not carry the simulated service's server, its test-PKI
/// generator or the virtual card: by construction (they live in `ukemi-devtools`, and
/// rcgen is not in the companion's dependencies) and checked here on the built file.
pub fn check_no_dev_tools(bin: &Path) -> Result {
    let bytes = std::fs::read(bin).map_err(|e| format!("{}: {e}", bin.display()))?;
    let found: Vec<&&str> = DEV_ONLY_MARKERS
        .iter()
        .filter(|m| bytes.windows(m.len()).any(|w| w == m.as_bytes()))
        .collect();
    let tree = cmd::output(
        &cmd::cargo(),
        &[
            "tree",
            "-p",
            "ukemi-companion",
            "-e",
            "normal",
            "--features",
            "pcsc",
            "--prefix",
            "none",
        ],
    )
    .unwrap_or_default();
    if tree.lines().any(|l| l.starts_with("rcgen ")) {
        return Err("ukemi-companion depends on rcgen (the test-PKI generator)".into());
    }
    if found.is_empty() {
        println!("{}: no developers' tools inside", bin.display());
        Ok(())
    } else {
        Err(format!(
            "{} contains developers' tools (found {found:?})",
            bin.display()
        ))
    }
}

fn nsis(version: &str, exe: &Path, out: &Path) -> Result<PathBuf> {
    let installer = out.join(format!("ukemi-companion-setup-{version}.exe"));
    run(command("makensis")
        .args(["-V2", "-INPUTCHARSET", "UTF8"])
        .arg(format!("-DVERSION={version}"))
        .arg(format!("-DEXE={}", exe.display()))
        .arg(format!("-DOUTFILE={}", installer.display()))
        .arg(cmd::root().join("packaging/windows/ukemi.nsi")))?;
    Ok(installer)
}

fn write(path: &Path, bytes: &[u8], mode: u32) -> Result {
    use std::os::unix::fs::PermissionsExt;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    std::fs::write(path, bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .map_err(|e| format!("{}: {e}", path.display()))
}

fn read(rel: &str) -> Result<Vec<u8>> {
    std::fs::read(cmd::root().join(rel)).map_err(|e| format!("{rel}: {e}"))
}

fn deb(version: &str, out: &Path) -> Result<(PathBuf, PathBuf)> {
    run(&mut cargo_release(None))?;
    let built = cmd::root()
        .join("target")
        .join("release")
        .join("ukemi-companion");
    let bin = out.join(format!("ukemi-companion-{version}-linux-x86_64"));
    run(command("strip").arg("-o").arg(&bin).arg(&built))?;
    check_no_dev_tools(&bin)?;
    let root = out.join("deb-root");
    let _ = std::fs::remove_dir_all(&root);
    let bytes = std::fs::read(&bin).map_err(|e| e.to_string())?;
    write(&root.join("usr/bin/ukemi-companion"), &bytes, 0o755)?;
    write(
        &root.join("usr/lib/systemd/user/ukemi-companion.service"),
        &read("packaging/debian/ukemi-companion.service")?,
        0o644,
    )?;
    let doc = root.join("usr/share/doc/ukemi-companion");
    write(
        &doc.join("copyright"),
        &read("packaging/debian/copyright")?,
        0o644,
    )?;
    write(&doc.join("README.md"), &read("README.md")?, 0o644)?;
    write(
        &root.join("DEBIAN/postinst"),
        &read("packaging/debian/postinst")?,
        0o755,
    )?;
    write(
        &root.join("DEBIAN/prerm"),
        &read("packaging/debian/prerm")?,
        0o755,
    )?;
    let installed_kib = bytes.len().div_ceil(1024) + 16;
    let control = format!(
        "Package: ukemi-companion\n\
         Version: {version}\n\
         Architecture: amd64\n\
         Maintainer: Ukemi <ukemi@invalid>\n\
         Installed-Size: {installed_kib}\n\
         Depends: libc6 (>= 2.34), libgcc-s1, libpcsclite1\n\
         Recommends: pcscd\n\
         Section: misc\n\
         Priority: optional\n\
         Description: Ukemi companion: card reader and eligibility relay\n \
         The small program on a clinic PC that lets the Ukemi web page check a patient's\n \
         health-insurance eligibility with the My Number card: it drives the card reader\n \
         (PC/SC) and relays the check to the eligibility service with the clinic's\n \
         certificate. It listens on 127.0.0.1 only and starts at each user's login\n \
         (a systemd user unit).\n"
    );
    write(&root.join("DEBIAN/control"), control.as_bytes(), 0o644)?;
    let deb = out.join(format!("ukemi-companion_{version}_amd64.deb"));
    run(command("dpkg-deb")
        .args(["--root-owner-group", "-Zxz", "--build"])
        .arg(&root)
        .arg(&deb))?;
    Ok((bin, deb))
}

fn sums(out: &Path, files: &[&Path]) -> Result {
    let mut lines = String::new();
    println!("\nPackages (target/package):");
    for f in files {
        let size = std::fs::metadata(f).map(|m| m.len()).unwrap_or(0);
        let sum = cmd::output("sha256sum", &[&f.to_string_lossy()])
            .and_then(|s| s.split_whitespace().next().map(str::to_string))
            .ok_or_else(|| format!("sha256sum {}", f.display()))?;
        let name = f.file_name().unwrap_or_default().to_string_lossy();
        println!("  {name:<48} {size:>10} B  sha256 {sum}");
        lines.push_str(&format!("{sum}  {name}\n"));
    }
    std::fs::write(out.join("SHA256SUMS"), lines).map_err(|e| e.to_string())
}
