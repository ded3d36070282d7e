# PowerShell completion for skyswitch: commands, flags and saved handles.
# Load it with   skyswitch completion powershell | Out-String | Invoke-Expression
# in your $PROFILE, or save it as a .ps1 file and dot-source it there.

Register-ArgumentCompleter -Native -CommandName skyswitch -ScriptBlock {
	param($wordToComplete, $commandAst, $cursorPosition)

	# The table, filled in by `skyswitch completion powershell`.
	#@DATA@

	# The words typed before the one being completed.
	$typed = @($commandAst.CommandElements |
		Where-Object { $_.Extent.EndOffset -lt $cursorPosition } |
		ForEach-Object { $_.Extent.Text })
	$cmd = ''
	$args_ = 0
	for ($i = 1; $i -lt $typed.Count; $i++) {
		$w = $typed[$i]
		if ($valueFlags.ContainsKey($w)) { $i++ }
		elseif ($w.StartsWith('-')) { }
		elseif ($cmd -eq '') { $cmd = $w }
		else { $args_++ }
	}
	$prev = ''
	if ($typed.Count -gt 1) { $prev = $typed[$typed.Count - 1] }

	# The saved handles, from the skyswitch being completed (so that
	# ./skyswitch completes from itself); its errors are ignored.
	$handles = {
		$bin = $commandAst.CommandElements[0].Value
		if (-not $bin) { $bin = 'skyswitch' }
		$prefix = ''
		if ($wordToComplete.StartsWith('@')) { $prefix = '@' }
		try { @(& $bin list --handles 2>$null) | ForEach-Object { $prefix + $_ } } catch { }
	}

	$offer = @()
	if ($valueFlags.ContainsKey($prev)) {
		$value = $valueFlags[$prev]
		if ($value -eq '@handles') { $offer = & $handles }
		else { $offer = $value }
	}
	elseif ($wordToComplete.StartsWith('-')) {
		if ($cmd -eq '') { $offer = $topFlags }
		else {
			$offer = $cmdFlags[$cmd]
			if ($args_ -eq 0) { $offer = @($offer) + @($cmdDashWords[$cmd]) }
		}
	}
	elseif ($cmd -eq '') { $offer = $topWords }
	elseif ($args_ -eq 0) {
		if ($handleCommands -contains $cmd) { $offer = & $handles }
		$offer = @($offer) + @($cmdWords[$cmd])
	}

	@($offer) | Where-Object { $_ -and $_.StartsWith($wordToComplete, [System.StringComparison]::Ordinal) } |
		ForEach-Object { [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_) }
}
