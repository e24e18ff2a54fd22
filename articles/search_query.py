"""Read what a reader typed into the search box as a small, safe query.

The syntax is the one search engines taught everyone: words (all must match),
"quoted phrases", a trailing * for a prefix (``batter*``), ``OR`` between
alternatives and a leading ``-`` to exclude. Everything else — punctuation,
operators of either database, emoji, control characters — only separates
words. The parsed query holds nothing but runs of letters and digits, so
rendering it for FTS5 or ``to_tsquery`` can never produce a syntax error or
smuggle in an operator.
"""

import re
from dataclasses import dataclass

# Enough for any real query; a 10,000-character paste is cut, not refused.
MAX_QUERY_CHARACTERS = 1000
MAX_CLAUSES = 16
MAX_ALTERNATIVES = 8
MAX_PHRASE_WORDS = 16
MAX_WORD_CHARACTERS = 64
# A one-letter prefix matches most of the index: it is searched as a word.
MIN_PREFIX_CHARACTERS = 2

WORD = re.compile(r"[^\W_]+")
# A quoted phrase (closed or running to the end), or a run of anything else.
CHUNK = re.compile(r'(-?)"([^"]*)"?|(\S+?)(?=\s|"|$)')


@dataclass(frozen=True)
class Phrase:
    """One word, or several that must appear together in this order."""

    words: tuple[str, ...]
    prefix: bool = False  # the last word may be the start of a longer one


@dataclass(frozen=True)
class Clause:
    """Alternatives of which one must match — or, when excluded, none may."""

    alternatives: tuple[Phrase, ...]
    excluded: bool = False


@dataclass(frozen=True)
class ParsedQuery:
    clauses: tuple[Clause, ...]
    truncated: bool = False

    def __bool__(self) -> bool:
        # Exclusions alone describe no results: something must be asked for.
        return any(not clause.excluded for clause in self.clauses)

    @property
    def included(self) -> tuple[Clause, ...]:
        return tuple(clause for clause in self.clauses if not clause.excluded)

    @property
    def excluded(self) -> tuple[Clause, ...]:
        return tuple(clause for clause in self.clauses if clause.excluded)


def parse_query(text: str) -> ParsedQuery:
    """Parse a reader's query; any text at all gives a (possibly empty) query."""
    truncated = len(text) > MAX_QUERY_CHARACTERS
    text = text[:MAX_QUERY_CHARACTERS]
    clauses: list[Clause] = []
    join_next = False
    for match in CHUNK.finditer(text):
        negated, quoted, bare = match.groups()
        if bare == "OR":
            join_next = bool(clauses) and not clauses[-1].excluded
            continue
        if quoted is not None:
            excluded = bool(negated)
            phrase = _phrase(quoted, prefix=False)
        else:
            excluded = bare.startswith("-") and len(bare) > 1
            phrase = _phrase(bare, prefix=bare.endswith("*"))
        if phrase is None:
            continue
        if join_next and not excluded:
            previous = clauses[-1]
            if len(previous.alternatives) < MAX_ALTERNATIVES:
                clauses[-1] = Clause((*previous.alternatives, phrase))
        elif len(clauses) < MAX_CLAUSES:
            clauses.append(Clause((phrase,), excluded=excluded))
        join_next = False
    return ParsedQuery(tuple(clauses), truncated=truncated)


def _phrase(text: str, *, prefix: bool) -> Phrase | None:
    words = tuple(
        word.lower() for word in WORD.findall(text) if len(word) <= MAX_WORD_CHARACTERS
    )[:MAX_PHRASE_WORDS]
    if not words:
        return None
    return Phrase(words, prefix=prefix and len(words[-1]) >= MIN_PREFIX_CHARACTERS)


# --- Rendering for each database ----------------------------------------------


def to_fts5(query: ParsedQuery) -> str:
    """Render for SQLite FTS5's MATCH: every word is a quoted string."""

    def phrase(item: Phrase) -> str:
        return f'"{" ".join(item.words)}"' + ("*" if item.prefix else "")

    def clause(item: Clause) -> str:
        return "(" + " OR ".join(phrase(p) for p in item.alternatives) + ")"

    rendered = "(" + " AND ".join(clause(c) for c in query.included) + ")"
    for excluded in query.excluded:
        rendered += f" NOT {clause(excluded)}"
    return rendered


def to_tsquery(query: ParsedQuery) -> str:
    """Render for PostgreSQL's to_tsquery: every word is a quoted lexeme."""

    def phrase(item: Phrase) -> str:
        lexemes = [f"'{word}'" for word in item.words]
        if item.prefix:
            lexemes[-1] += ":*"
        return "(" + " <-> ".join(lexemes) + ")"

    def clause(item: Clause) -> str:
        return "(" + " | ".join(phrase(p) for p in item.alternatives) + ")"

    parts = [clause(c) for c in query.included]
    parts += [f"!{clause(c)}" for c in query.excluded]
    return " & ".join(parts)
