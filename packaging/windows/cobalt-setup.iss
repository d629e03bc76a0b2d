; Inno Setup 6 script for Cobalt Network Setup on Windows.
; Packs the PyInstaller folder dist\cobalt-setup (packaging/cobalt-setup.spec) into one
; installer, dist\cobalt-network-setup-VERSION-windows-x64.exe.
;
; Build (from the repository root, after PyInstaller):
;   iscc /DAppVersion=0.1.0 packaging\windows\cobalt-setup.iss
; (.github/workflows/release.yml does this on windows-latest, where Inno Setup 6 is installed.)
;
; Per-user or per-machine: the installer asks (PrivilegesRequiredOverridesAllowed=dialog).
; Per-user needs no administrator and installs under %LOCALAPPDATA%\Programs.
;
; Run from Open Cobalt's own installer (silently, then start the wizard once):
;   cobalt-network-setup-0.1.0-windows-x64.exe /VERYSILENT /SUPPRESSMSGBOXES /NORESTART /CURRENTUSER /TASKS="" /RUNWIZARD
; - /CURRENTUSER installs for the user running Open Cobalt's installer without asking for
;   elevation; use /ALLUSERS instead from an elevated per-machine installer.
; - /RUNWIZARD (this script's own switch, see RunWizardRequested below) starts the wizard after a
;   silent install: the [Run] entry is "skipifsilent" so a plain /VERYSILENT install never opens a
;   window by surprise. Without /RUNWIZARD, Open Cobalt's installer can start it itself:
;   "{localappdata}\Programs\Cobalt Network Setup\cobalt-setup.exe" (per user) or
;   "{commonpf}\Cobalt Network Setup\cobalt-setup.exe" (per machine).
; - Exit code 0 means installed. /LOG="file" writes a log for support.
; - cobalt-setup-cli.exe, installed beside cobalt-setup.exe, is the console twin for scripts:
;   "{app}\cobalt-setup-cli.exe" diagnose   (exit 0 all fine, 1 problems found, 2 bad usage)
; For example, from another Inno Setup script's [Run] section:
;   Filename: "{tmp}\cobalt-network-setup-0.1.0-windows-x64.exe"; \
;     Parameters: "/VERYSILENT /SUPPRESSMSGBOXES /NORESTART /CURRENTUSER /RUNWIZARD"; \
;     StatusMsg: "Setting up the network..."; Flags: waituntilterminated

#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif
#define AppName "Cobalt Network Setup"
#define AppExe "cobalt-setup.exe"
#define SourceDir "..\..\dist\cobalt-setup"

[Setup]
; Keep this AppId for ever: it is how upgrades and the uninstaller find an earlier install.
AppId={{6F0C3B7E-2D4A-4E55-9B8E-0B5A1C0C0B41}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=Open Cobalt
AppPublisherURL=https://www.opencobalt.net/
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog commandline
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
; The installer's own look (the app forces QWizard's ModernStyle itself on Windows).
WizardStyle=modern
; Rendered from app\cobalt_setup\gui\icons\cobalt-setup.svg by packaging\render_icon.py (needs Pillow).
SetupIconFile=..\..\build\icon\cobalt-setup.ico
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
OutputDir=..\..\dist
OutputBaseFilename=cobalt-network-setup-{#AppVersion}-windows-x64
Compression=lzma2/max
SolidCompression=yes
CloseApplications=yes

[Languages]
Name: "en"; MessagesFile: "compiler:Default.isl"
Name: "de"; MessagesFile: "compiler:Languages\German.isl"
Name: "fr"; MessagesFile: "compiler:Languages\French.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
; The Start-menu entry users look for when Open Cobalt cannot connect.
Name: "{autoprograms}\Open Cobalt Network Setup"; Filename: "{app}\{#AppExe}"; Comment: "Set up and troubleshoot Open Cobalt's network settings"
Name: "{autodesktop}\Open Cobalt Network Setup"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Run]
; "Run after install": a checked box on the last page of an interactive install.
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent
; The same after a silent install, only when the caller asked for it with /RUNWIZARD.
Filename: "{app}\{#AppExe}"; Flags: nowait runasoriginaluser; Check: RunWizardRequested

[UninstallDelete]
; PyInstaller writes nothing beside the program; the app's own settings stay in the user's
; profile on purpose (they are Open Cobalt's preferences, not ours).
Type: dirifempty; Name: "{app}"

[Code]
{ True when the installer was started with /RUNWIZARD and is silent (interactive installs use
  the postinstall check box instead, so the wizard never starts twice). }
function RunWizardRequested: Boolean;
var
  Index: Integer;
begin
  Result := False;
  if not WizardSilent then
    Exit;
  for Index := 1 to ParamCount do
    if CompareText(ParamStr(Index), '/RUNWIZARD') = 0 then
      Result := True;
end;
