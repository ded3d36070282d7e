#compdef skyswitch
# zsh completion for skyswitch: commands, flags and saved handles.
# Load it with   source <(skyswitch completion zsh)   in ~/.zshrc after
# compinit, or save it as _skyswitch in a directory of $fpath.

# _skyswitch_handles offers the saved handles, with @ when it is typed.
_skyswitch_handles() {
	local -a handles
	handles=(${(f)"$(${~words[1]} list --handles 2>/dev/null)"})
	[[ $PREFIX == @* ]] && handles=(${handles/#/@})
	(( $#handles )) && compadd -- $handles
}

# _skyswitch_lexicon offers what `skyswitch __complete` prints from the
# lexicon table: "nsids PREFIX", the methods; "fields NSID", the method's
# parameters as name=, with no space after them.
_skyswitch_lexicon() {
	local -a found
	found=(${(f)"$(${~words[1]} __complete "$@" 2>/dev/null)"})
	(( $#found )) || return
	if [[ $1 == fields ]]; then compadd -S '' -- $found; else compadd -- $found; fi
}

_skyswitch_nsids() { _skyswitch_lexicon nsids "$PREFIX" }

# _skyswitch_fields: after -f or -F, the parameters of api's method, its
# quotes, if it was typed in them, removed.
_skyswitch_fields() { [[ -n $arg ]] && _skyswitch_lexicon fields "${(Q)arg}" }

# _skyswitch_flag sets w to the word given less the one-letter flags that
# take no value at the front of a bundle: -iq is read as -q (its value the
# next word), -iq.x as -q.x.
_skyswitch_flag() {
	emulate -L zsh # $match, not $BASH_REMATCH
	w=$1
	[[ $w =~ '^-[@SHORTBOOLS@]+(.+)$' ]] && w=-$match[1]
}

_skyswitch() {
	local cmd= arg= args=0 ended= i w
	# After the command, -- ends the flags: the words after it are
	# arguments, dashes and all (before it, -- is an unknown command).
	for ((i = 2; i < CURRENT; i++)); do
		w=${words[i]}
		[[ -z $ended ]] && _skyswitch_flag "$w"
		case $ended$w in
		@VALUEFLAGS@) ((i++)) ;;
		--) [[ -n $cmd ]] || cmd=$w; ended=1 ;;
		-*) ;;
		*) if [[ -z $cmd ]]; then cmd=$w; else ((args++ == 0)) && arg=$w; fi ;;
		esac
	done
	_skyswitch_flag "${words[CURRENT-1]}"
	case $ended$w in
#@VALUECASES@
	esac
	if [[ -z $ended && $PREFIX == -* ]]; then
		case $cmd in
#@DASHCASES@
		esac
		return
	fi
	((args > 0)) && return
	case $cmd in
#@WORDCASES@
	esac
}

if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
	_skyswitch "$@"
else
	compdef _skyswitch skyswitch
fi
