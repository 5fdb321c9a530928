; The Ukemi companion's Windows installer, built by `cargo xtask package` with NSIS.
; Per user: no administrator rights, installed in %LOCALAPPDATA%\Programs\Ukemi, a Start-menu
; folder (the companion, its diagnostics, the uninstaller), started at logon from the
; user's Run key, listed in "Apps & features". Silent with /S.
; The user's data (%LOCALAPPDATA%\Ukemi: configuration, pairings, certificate, logs) is kept
; on uninstall, so a reinstall finds the clinic's setup as it was.
;
; Defines from xtask: VERSION (x.y.z), EXE (the built ukemi-companion.exe), OUTFILE.

; 64-bit: runs on 64-bit Windows 10/11 and under a 64-bit-only Wine (the test rig).
Target amd64-unicode
ManifestDPIAware true
RequestExecutionLevel user
SetCompressor /SOLID lzma

!include "MUI2.nsh"

!define APP "Ukemi"
!define COMPANY "Ukemi"
!define RUN_KEY "Software\Microsoft\Windows\CurrentVersion\Run"
!define RUN_VALUE "UkemiCompanion"
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\UkemiCompanion"

Name "${APP} コンパニオン ${VERSION}"
OutFile "${OUTFILE}"
InstallDir "$LOCALAPPDATA\Programs\Ukemi"
InstallDirRegKey HKCU "${UNINSTALL_KEY}" "InstallLocation"
BrandingText "Ukemi ${VERSION}"
VIProductVersion "${VERSION}.0"
VIAddVersionKey /LANG=0 "ProductName" "Ukemi companion"
VIAddVersionKey /LANG=0 "FileDescription" "Ukemi companion installer"
VIAddVersionKey /LANG=0 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "LegalCopyright" "MIT OR Apache-2.0"

!define MUI_FINISHPAGE_RUN "$INSTDIR\ukemi-companion.exe"
!define MUI_FINISHPAGE_RUN_TEXT "今すぐ起動する / Start it now"
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "Japanese"
!insertmacro MUI_LANGUAGE "English"

; A running companion holds its .exe open: stop this user's before replacing or removing it.
!macro StopCompanion
  ReadEnvStr $1 "USERNAME"
  nsExec::Exec '"$SYSDIR\taskkill.exe" /F /IM ukemi-companion.exe /FI "USERNAME eq $1"'
  Pop $0
  Sleep 500
!macroend

Section "Install"
  !insertmacro StopCompanion
  SetOutPath "$INSTDIR"
  File "/oname=ukemi-companion.exe" "${EXE}"
  WriteUninstaller "$INSTDIR\uninstall.exe"

  CreateDirectory "$SMPROGRAMS\Ukemi"
  CreateShortcut "$SMPROGRAMS\Ukemi\Ukemi コンパニオン.lnk" "$INSTDIR\ukemi-companion.exe"
  CreateShortcut "$SMPROGRAMS\Ukemi\Ukemi 診断 (doctor).lnk" "$INSTDIR\ukemi-companion.exe" "doctor"
  CreateShortcut "$SMPROGRAMS\Ukemi\Ukemi のアンインストール.lnk" "$INSTDIR\uninstall.exe"

  ; Start at logon, for this user only.
  WriteRegStr HKCU "${RUN_KEY}" "${RUN_VALUE}" '"$INSTDIR\ukemi-companion.exe"'

  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayName" "Ukemi コンパニオン"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "Publisher" "${COMPANY}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\ukemi-companion.exe"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKCU "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoRepair" 1
SectionEnd

Section "Uninstall"
  !insertmacro StopCompanion
  DeleteRegValue HKCU "${RUN_KEY}" "${RUN_VALUE}"
  DeleteRegKey HKCU "${UNINSTALL_KEY}"
  Delete "$SMPROGRAMS\Ukemi\Ukemi コンパニオン.lnk"
  Delete "$SMPROGRAMS\Ukemi\Ukemi 診断 (doctor).lnk"
  Delete "$SMPROGRAMS\Ukemi\Ukemi のアンインストール.lnk"
  RMDir "$SMPROGRAMS\Ukemi"
  Delete "$INSTDIR\ukemi-companion.exe"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
SectionEnd
