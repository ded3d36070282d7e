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

# _skyswitch_lexicon offers what `skyswitch __complete` prints from the
# lexicon table: "nsids PREFIX", the methods; "fields NSID", its parameters.
_skyswitch_lexicon() {
	local w bin=${COMP_WORDS[0]/#\~/$HOME}
	while IFS= read -r w; do
		[[ $w == "$cur"* ]] && COMPREPLY+=("$w")
	done < <("$bin" __complete "$@" 2>/dev/null)
}

# _skyswitch_nsids offers the methods api knows.
_skyswitch_nsids() { _skyswitch_lexicon nsids "$cur"; }

# _skyswitch_fields offers, after -f or -F, the parameters of the method
# typed (api's argument) as name=, with no space after them. The method's
# quotes and backslashes, which bash leaves in the word, are dropped (an
# NSID has none).
_skyswitch_fields() {
	[[ -n $arg ]] || return 0
	_skyswitch_lexicon fields "${arg//[\'\"\\]/}"
	compopt -o nospace 2>/dev/null
	return 0
}

_skyswitch() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
	local cmd='' arg='' args=0 ended='' i w
	# The one-letter flags that take no value are dropped from the front of
	# a bundle: -iq is read as -q (its value the next word), -iq.x as -q.x.
	local bundled='^-[@SHORTBOOLS@]+(.+)$'
	COMPREPLY=()
	[[ $prev =~ $bundled ]] && prev=-${BASH_REMATCH[1]}
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		[[ -z $ended && $w =~ $bundled ]] && w=-${BASH_REMATCH[1]}
		# After the command, -- ends the flags: the words after it are
		# arguments, dashes and all (before it, -- is an unknown command).
		case $ended$w in
		@VALUEFLAGS@) [[ ${COMP_WORDS[i+1]} == = ]] && ((i++)); ((i++)) ;;
		=) ((i++)) ;;
		--) [[ -n $cmd ]] || cmd=$w; ended=1 ;;
		-*) ;;
		*) if [[ -z $cmd ]]; then cmd=$w; else ((args++ == 0)) && arg=$w; fi ;;
		esac
	done
	case $ended$prev in
#@VALUECASES@
	esac
	if [[ -z $ended && $cur == -* ]]; then
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
