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

# _skyswitch_fields: after -f or -F, the parameters of api's method.
_skyswitch_fields() { [[ -n $arg ]] && _skyswitch_lexicon fields "$arg" }

_skyswitch() {
	local cmd= arg= args=0 i
	for ((i = 2; i < CURRENT; i++)); do
		case ${words[i]} in
		@VALUEFLAGS@) ((i++)) ;;
		-*) ;;
		*) if [[ -z $cmd ]]; then cmd=${words[i]}; else ((args++ == 0)) && arg=${words[i]}; fi ;;
		esac
	done
	case ${words[CURRENT-1]} in
#@VALUECASES@
	esac
	if [[ $PREFIX == -* ]]; then
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
