# The office server on Windows Server: two scheduled tasks under a service account.
#   - "Nezarat server": `main.py serve` at start-up, restarted if it stops;
#   - "Nezarat backup": every night at 02:30.
# Run in an elevated PowerShell from the product folder (C:\Nezarat), after `py -m venv .venv`
# and `.venv\Scripts\pip install .`. The database URL (with the server role's password) is
# read from C:\ProgramData\Nezarat\server.env (NEZARAT_DB=...), readable by the account only.
param(
    [string]$Account = "NT AUTHORITY\NETWORK SERVICE",
    [string]$Root = "C:\Nezarat",
    [string]$Data = "C:\ProgramData\Nezarat",
    [int]$Port = 8443
)
$ErrorActionPreference = "Stop"
$python = Join-Path $Root ".venv\Scripts\python.exe"
$envFile = Join-Path $Data "server.env"
$db = (Get-Content $envFile | Where-Object { $_ -like "NEZARAT_DB=*" }) -replace "^NEZARAT_DB=", ""
$serveArgs = "main.py serve --db `"$db`" --host 0.0.0.0 --port $Port " +
    "--tls-cert `"$Data\tls\server.crt`" --tls-key `"$Data\tls\server.key`" " +
    "--data `"$Data`" --sms kavenegar"
$serve = New-ScheduledTaskAction -Execute $python -Argument $serveArgs -WorkingDirectory $Root
$atStart = New-ScheduledTaskTrigger -AtStartup
$keepUp = New-ScheduledTaskSettingsSet -RestartCount 999 -RestartInterval (New-TimeSpan -Minutes 1) `
    -ExecutionTimeLimit ([TimeSpan]::Zero) -StartWhenAvailable
Register-ScheduledTask -TaskName "Nezarat server" -Action $serve -Trigger $atStart `
    -Settings $keepUp -User $Account -RunLevel Limited -Force
$backupArgs = "main.py backup `"$Data\backups\nezarat-latest.jsonl.gz`" --db `"$db`""
$backup = New-ScheduledTaskAction -Execute $python -Argument $backupArgs -WorkingDirectory $Root
$nightly = New-ScheduledTaskTrigger -Daily -At 2:30am
Register-ScheduledTask -TaskName "Nezarat backup" -Action $backup -Trigger $nightly `
    -User $Account -RunLevel Limited -Force
New-NetFirewallRule -DisplayName "Nezarat server" -Direction Inbound -Protocol TCP `
    -LocalPort $Port -Action Allow -ErrorAction SilentlyContinue | Out-Null
Start-ScheduledTask -TaskName "Nezarat server"
Write-Output "Nezarat server: https://$(hostname):$Port (desks: the connection dialog)"
