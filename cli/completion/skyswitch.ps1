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
	$arg = ''
	$args_ = 0
	$ended = $false
	# The one-letter flags that take no value are dropped from the front of
	# a bundle: -iq is read as -q (its value the next word), -iq.x as -q.x.
	# After the command, -- ends the flags: the words after it are
	# arguments, dashes and all (before it, -- is an unknown command).
	for ($i = 1; $i -lt $typed.Count; $i++) {
		$w = $typed[$i] -creplace $bundled, '-$1'
		if ($ended) { $w = $typed[$i] }
		elseif ($w -eq '--') { if ($cmd -eq '') { $cmd = $w }; $ended = $true; continue }
		elseif ($valueFlags.ContainsKey($w)) { $i++; continue }
		elseif ($w.StartsWith('-')) { continue }
		if ($cmd -eq '') { $cmd = $w }
		else {
			if ($args_ -eq 0) { $arg = $w }
			$args_++
		}
	}
	$prev = ''
	if ($typed.Count -gt 1 -and -not $ended) { $prev = $typed[$typed.Count - 1] -creplace $bundled, '-$1' }

	# The skyswitch being completed (so that ./skyswitch completes from
	# itself), asked for the saved handles and for what the lexicon table
	# holds; its errors are ignored.
	$bin = $commandAst.CommandElements[0].Value
	if (-not $bin) { $bin = 'skyswitch' }
	$handles = {
		$prefix = ''
		if ($wordToComplete.StartsWith('@')) { $prefix = '@' }
		try { @(& $bin list --handles 2>$null) | ForEach-Object { $prefix + $_ } } catch { }
	}
	# "nsids PREFIX": api's methods; "fields NSID": the method's parameters
	# as name=.
	$lexicon = {
		param($what, $of)
		try { @(& $bin __complete $what $of 2>$null) } catch { }
	}

	$offer = @()
	if ($valueFlags.ContainsKey($prev)) {
		$value = $valueFlags[$prev]
		if ($value -eq '@handles') { $offer = & $handles }
		elseif ($value -eq '@fields') { if ($arg -ne '') { $offer = & $lexicon fields $arg } }
		else { $offer = $value }
	}
	elseif (-not $ended -and $wordToComplete.StartsWith('-')) {
		if ($cmd -eq '') { $offer = $topFlags }
		else {
			$offer = $cmdFlags[$cmd]
			if ($args_ -eq 0) { $offer = @($offer) + @($cmdDashWords[$cmd]) }
		}
	}
	elseif ($cmd -eq '') { $offer = $topWords }
	elseif ($args_ -eq 0) {
		if ($handleCommands -contains $cmd) { $offer = & $handles }
		if ($nsidCommands -contains $cmd) { $offer = & $lexicon nsids $wordToComplete }
		$offer = @($offer) + @($cmdWords[$cmd])
	}

	@($offer) | Where-Object { $_ -and $_.StartsWith($wordToComplete, [System.StringComparison]::Ordinal) } |
		ForEach-Object { [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_) }
}
