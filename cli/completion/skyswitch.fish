# fish completion for skyswitch: commands, flags and saved handles.
# Load it with   skyswitch completion fish | source   or save it as
# ~/.config/fish/completions/skyswitch.fish.

# __skyswitch_words prints the words typed before the cursor, less the
# program and the flags with their values. The one-letter flags that take
# no value are dropped from the front of a bundle: -iq is read as -q (its
# value the next word), -iq.x as -q.x. After the command, -- ends the
# flags: the words after it are arguments, dashes and all (before it, --
# is an unknown command).
function __skyswitch_words
    set -l words (commandline -opc)
    set -e words[1]
    set -l cmd ''
    set -l ended ''
    while set -q words[1]
        switch $ended(string replace -r -- '^-[@SHORTBOOLS@]+(.+)$' '-$1' $words[1])
            case @VALUEFLAGS@
                set -e words[1]
            case --
                test -n "$cmd"; or echo -- --
                set ended 1
            case '-*'
            case '*'
                echo -- $words[1]
                set cmd $words[1]
        end
        set -e words[1]
    end
end

# __skyswitch_cmd prints the command typed, if any.
function __skyswitch_cmd
    set -l words (__skyswitch_words)
    set -q words[1]; or return 1
    echo -- $words[1]
end

function __skyswitch_using
    contains -- (__skyswitch_cmd) $argv
end

# __skyswitch_no_arg: the command has no argument yet.
function __skyswitch_no_arg
    set -l words (__skyswitch_words)
    test (count $words) -le 1
end

# __skyswitch_lexicon prints what `skyswitch __complete` gives from the
# lexicon table: "nsids", the methods; "fields", the parameters of the
# method typed (api's argument) as name=.
function __skyswitch_lexicon
    set -l bin (commandline -opc)[1]
    test -n "$bin"; or set bin skyswitch
    if test "$argv[1]" = fields
        set -l words (__skyswitch_words)
        set -q words[2]; or return
        command $bin __complete fields $words[2] 2>/dev/null
    else
        command $bin __complete nsids (commandline -ct) 2>/dev/null
    end
end

function __skyswitch_handles
    set -l bin (commandline -opc)[1]
    test -n "$bin"; or set bin skyswitch
    command $bin list --handles 2>/dev/null
end

complete -c skyswitch -f
