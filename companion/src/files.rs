//! The companion's own files (pairings with their keys) are private to the user running
//! it: mode 0600 in a 0700 folder on Linux and other Unix systems, an ACL that grants only
//! that user on Windows. Written to a temporary file first and renamed, so a crash never
//! leaves half a file.

use std::io::Write;
use std::path::Path;

pub fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        if !dir.as_os_str().is_empty() && !dir.is_dir() {
            std::fs::create_dir_all(dir)?;
            restrict_dir(dir)?;
        }
    }
    let tmp = path.with_extension("tmp");
    let _ = std::fs::remove_file(&tmp);
    let mut f = open_private(&tmp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    drop(f);
    restrict_file(&tmp)?;
    std::fs::rename(&tmp, path)?;
    restrict_file(path)
}

#[cfg(unix)]
fn open_private(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}

#[cfg(not(unix))]
fn open_private(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
}

#[cfg(unix)]
fn restrict_file(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
}

#[cfg(unix)]
fn restrict_dir(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o700))
}

#[cfg(windows)]
fn restrict_file(path: &Path) -> std::io::Result<()> {
    windows::user_only(path)
}

#[cfg(windows)]
fn restrict_dir(path: &Path) -> std::io::Result<()> {
    windows::user_only(path)
}

#[cfg(not(any(unix, windows)))]
fn restrict_file(_path: &Path) -> std::io::Result<()> {
    Ok(())
}

#[cfg(not(any(unix, windows)))]
fn restrict_dir(_path: &Path) -> std::io::Result<()> {
    Ok(())
}

#[cfg(windows)]
mod windows {
    //! A protected DACL with one entry: full access for the user running the companion.
    //! Inherited entries (Users, Everyone) are cut off.
    use std::os::windows::ffi::OsStrExt;
    use std::path::Path;
    use windows_sys::Win32::Foundation::{LocalFree, ERROR_SUCCESS};
    use windows_sys::Win32::Security::Authorization::{
        SetEntriesInAclW, SetNamedSecurityInfoW, EXPLICIT_ACCESS_W, NO_MULTIPLE_TRUSTEE,
        SET_ACCESS, SE_FILE_OBJECT, TRUSTEE_IS_SID, TRUSTEE_IS_USER, TRUSTEE_W,
    };
    use windows_sys::Win32::Security::{
        ACL, DACL_SECURITY_INFORMATION, NO_INHERITANCE, PROTECTED_DACL_SECURITY_INFORMATION,
        SUB_CONTAINERS_AND_OBJECTS_INHERIT,
    };
    use windows_sys::Win32::Storage::FileSystem::FILE_ALL_ACCESS;

    pub fn user_only(path: &Path) -> std::io::Result<()> {
        let user = crate::peer::windows::current_user()?;
        let wide: Vec<u16> = path.as_os_str().encode_wide().chain(Some(0)).collect();
        let inherit = if path.is_dir() {
            SUB_CONTAINERS_AND_OBJECTS_INHERIT
        } else {
            NO_INHERITANCE
        };
        // SAFETY: every pointer is valid for the call: the SID lives in `user`, `wide` is
        // NUL-terminated, and the ACL allocated by SetEntriesInAclW is freed below.
        unsafe {
            let access = EXPLICIT_ACCESS_W {
                grfAccessPermissions: FILE_ALL_ACCESS,
                grfAccessMode: SET_ACCESS,
                grfInheritance: inherit,
                Trustee: TRUSTEE_W {
                    pMultipleTrustee: std::ptr::null_mut(),
                    MultipleTrusteeOperation: NO_MULTIPLE_TRUSTEE,
                    TrusteeForm: TRUSTEE_IS_SID,
                    TrusteeType: TRUSTEE_IS_USER,
                    ptstrName: user.sid() as *mut u16,
                },
            };
            let mut acl: *mut ACL = std::ptr::null_mut();
            let r = SetEntriesInAclW(1, &access, std::ptr::null(), &mut acl);
            if r != ERROR_SUCCESS {
                return Err(std::io::Error::from_raw_os_error(r as i32));
            }
            let r = SetNamedSecurityInfoW(
                wide.as_ptr(),
                SE_FILE_OBJECT,
                DACL_SECURITY_INFORMATION | PROTECTED_DACL_SECURITY_INFORMATION,
                std::ptr::null_mut(),
                std::ptr::null_mut(),
                acl,
                std::ptr::null(),
            );
            LocalFree(acl as _);
            if r != ERROR_SUCCESS {
                return Err(std::io::Error::from_raw_os_error(r as i32));
            }
        }
        Ok(())
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn files_and_their_folder_are_private() {
        let dir = std::env::temp_dir().join(format!("ukemi-files-{}", std::process::id()));
        let file = dir.join("sub").join("pairings.json");
        write_private(&file, b"{}").expect("write");
        write_private(&file, b"{\"again\":1}").expect("rewrite");
        let mode = |p: &Path| std::fs::metadata(p).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode(&file), 0o600);
        assert_eq!(mode(file.parent().expect("dir")), 0o700);
        assert_eq!(std::fs::read(&file).expect("read"), b"{\"again\":1}");
        let _ = std::fs::remove_dir_all(dir);
    }
}
