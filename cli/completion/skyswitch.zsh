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

_skyswitch() {
	local cmd= args=0 i
	for ((i = 2; i < CURRENT; i++)); do
		case ${words[i]} in
		@VALUEFLAGS@) ((i++)) ;;
		-*) ;;
		*) if [[ -z $cmd ]]; then cmd=${words[i]}; else ((args++)); fi ;;
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
