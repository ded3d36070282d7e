# bash completion for skyswitch: commands, flags and saved handles.
# Load it with   source <(skyswitch completion bash)   in ~/.bashrc, or save
# it as ~/.local/share/bash-completion/completions/skyswitch.

# _skyswitch_add offers the words that start with what is typed.
_skyswitch_add() {
	local w
	for w in "$@"; do
		[[ $w == "$cur"* ]] && COMPREPLY+=("$w")
	done
}

# _skyswitch_handles offers the saved handles, with @ when it is typed.
_skyswitch_handles() {
	local h prefix='' bin=${COMP_WORDS[0]/#\~/$HOME}
	[[ $cur == @* ]] && prefix=@
	while IFS= read -r h; do
		[[ $prefix$h == "$cur"* ]] && COMPREPLY+=("$prefix$h")
	done < <("$bin" list --handles 2>/dev/null)
}

_skyswitch() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
	local cmd='' args=0 i
	COMPREPLY=()
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		@VALUEFLAGS@|=) ((i++)) ;;
		-*) ;;
		*) if [[ -z $cmd ]]; then cmd=${COMP_WORDS[i]}; else ((args++)); fi ;;
		esac
	done
	case $prev in
#@VALUECASES@
	esac
	if [[ $cur == -* ]]; then
		case $cmd in
#@DASHCASES@
		esac
		return 0
	fi
	((args > 0)) && return 0
	case $cmd in
#@WORDCASES@
	esac
	return 0
}

complete -F _skyswitch skyswitch
