"""Small talk: messages that are not questions about the articles, and the chat padding around
questions that are.

People talk to a bot as they talk in a channel: "thanks!", "hi", "lol ok", "???", "good bot",
"hey byline, could you please explain what the strike is about tbh". A message made only of such
words is small talk (``is_smalltalk``): it gets a hint, never passages. Inside a real question the
same words are padding (``without_padding``): they are dropped before the question is analysed,
so "hey", "thx" or the bot's name never count as something the articles fail to mention.

The word lists are general English chat (and the commonest greetings and thanks of a few other
languages), written from no question set. Words that news uses as content ("great" in Great
Britain, "help" in "what help will farmers get") are small talk only when nothing else is said.
"""

from index.text.analysis import STOP_WORDS, words

# Said to the bot or the channel, never what a question is about: dropped from questions too.
PADDING = frozenset(
    """
    hey heya hi hiya hello helo yo hola sup howdy greetings
    thanks thank thx thnx thanx tks ty tysm tyvm cheers appreciated
    pls plz please
    lol lmao lmfao rofl haha hehe heh xd kek lel
    tbh ngl imo imho btw fyi omg omfg smh idk dunno iirc afaik
    ok okay okey kk k um umm uh uhh er erm hmm hm mm oh ah eh aha
    byline bot
    guys folks everyone everybody anyone anybody someone somebody
    explain wondering wonder curious quick q qq question
    """.split()
)
BOT_NAMES = frozenset({"byline", "bot"})  # padding however written: "hey Byline, ..."
# Small talk when nothing else is said; words a news question may also be about.
CHAT_WORDS = PADDING | frozenset(
    """
    hellooo morning afternoon evening night day gm gn ga goodnight goodmorning
    bonjour salut ciao hallo hej ola namaste konnichiwa shalom salaam buongiorno buenos buenas dias
    tardes noches guten tag
    merci danke gracias obrigado obrigada grazie arigato spasibo muchas vielen dank beaucoup mille
    welcome np problem worries prob appreciate lot lots tons million
    yes yeah yea yep yup yah no nope nah sure alright aight right true fine cool nice great good
    awesome amazing perfect sweet neat lovely brilliant excellent wonderful fantastic
    got gotcha understood noted roger makes sense fair enough point agreed agree indeed exactly
    wow whoa woah oof yikes damn dang dayum ugh meh huh wtf wth crazy wild insane nuts interesting
    bye goodbye byebye cya later ttyl gtg brb laters farewell adios au revoir tschuss
    sorry oops whoops mb bad my mistake wrong channel nvm nevermind never mind ignore
    help commands command info hint
    test testing ping pong tested
    how are doing going up new
    you alive real human robot ai awake sentient there here listening hear see working work works
    use using used made make built name called who
    love hate like likes suck sucks rocks rock smart dumb stupid useless helpful funny cute best
    worst
    friend friends mate buddy bro dude fam man chat
    u r ur ya yall youre ure im ive
    job answer answers reply replies response stuff
    """.split()
)


def _letters(word: str) -> str:
    """A stretched word as it is usually spelt: "thaaanks" → "thanks", "hiiii" → "hi"."""
    out: list[str] = []
    for ch in word:
        if len(out) >= 2 and out[-1] == ch and out[-2] == ch:
            continue
        out.append(ch)
    squeezed = "".join(out)
    if squeezed in CHAT_WORDS:
        return squeezed
    single = "".join(ch for i, ch in enumerate(squeezed) if i == 0 or squeezed[i - 1] != ch)
    return single if single in CHAT_WORDS else squeezed


def _laughter(word: str) -> bool:
    """"hahaha", "hehe", "lolol", "lmaooo", "jajaja", "xdd": laughing, however long."""
    if len(word) < 2:
        return False
    if set(word) <= {"h", "a"} or set(word) <= {"h", "e"} or set(word) <= {"j", "a"}:
        return word.count("h") + word.count("j") >= 1 and len(word) >= 3
    if set(word) <= {"l", "o"}:
        return word.startswith("lol")
    if set(word) <= {"x", "d"}:
        return word.startswith("x") and "d" in word
    return word.startswith(("lmao", "lmfao", "rofl"))


def _chat(word: str) -> bool:
    return word in STOP_WORDS or _letters(word) in CHAT_WORDS or _laughter(word)


def is_smalltalk(message: str) -> bool:
    """Whether ``message`` says nothing the articles could answer: only greetings, thanks, chat,
    emoji or punctuation (a number beside such words too: "testing 123")."""
    found = words(message)
    content = [w for w in found if not _chat(w)]
    if not content:
        return True
    return all(w.isdigit() for w in content) and len(content) < len(found)


def _is_padding(token: str, first: bool) -> bool:
    """Whether a token written in a question is chat padding: a padding word (in lower case or
    capitals, or opening the message), or a token with no letter or digit (emoji, "!!")."""
    if not any(ch.isalnum() for ch in token):
        return not any(ch in "$£€%" for ch in token)
    letters = "".join(ch for ch in token if ch.isalnum())
    if letters.lower() in BOT_NAMES:
        return True
    if not (letters.islower() or letters.isupper() or first):
        return False
    folded = words(letters)
    return len(folded) == 1 and (_letters(folded[0]) in PADDING or _laughter(folded[0]))


def without_padding(question: str) -> str:
    """``question`` without the chat around it ("hey byline!! whats the budget lol" → "whats the
    budget"); the question itself when nothing else would be left."""
    tokens = question.split()
    kept = [t for i, t in enumerate(tokens) if not _is_padding(t, i == 0)]
    return " ".join(kept) if kept else question
