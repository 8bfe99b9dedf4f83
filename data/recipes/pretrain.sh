#!/usr/bin/env bash
# pretrain.sh: chapter 8's pre-training corpus: the largest clean English prose Debian's
# packages give, one paragraph per line, split into train.txt and val.txt.
#
# Sources, in this fixed order (the table below names package, format, licence, files):
#   - the kjv, wordnet and gcide caches (their recipes run first when missing);
#   - three dictd dictionaries: FOLDOC, the Jargon File, The Devil's Dictionary;
#   - reStructuredText: the kernel's Documentation/ (linux-doc-6.1, translations left out),
#     Python 3.11's documentation (the _sources of python3.11-doc), the Sphinx _sources of
#     ten Python libraries' -doc packages and of sphinx-doc, and SQLAlchemy's rst;
#   - Perl's POD (perl-doc); roff: the Linux man-pages (manpages, manpages-dev), OpenSSL's
#     (libssl-doc);
#   - HTML: Django, SciPy, PostgreSQL 15, Git, the Debian Administrator's Handbook (en-US),
#     Racket (German manuals left out), the Java 17 API (javadoc), the Rust books, Erlang/OTP,
#     GHC (user guide + libraries, the compiler's own API left out), the Node.js API, the
#     Apache HTTP Server manual (en), the GNU Octave manual.
# Every package is fetched with apt-get download and unpacked with dpkg -x (nothing is
# installed); the directory named in the table is cleaned, then the unpacked tree removed.
#
# Cleaning (clean.pl below), by format:
#   rst: directives and their bodies dropped (code-block, literalinclude, kernel-doc, toctree,
#     tables, images, math, raw, auto*..., comments, targets, footnotes, substitution
#     definitions), except admonitions and object descriptions (note, versionadded,
#     function, class, c:function...) whose bodies are prose and kept without their
#     signature line; literal blocks after "::" and doctest blocks dropped; grid and simple
#     tables dropped; section underlines dropped (a title stays a paragraph); list and field
#     markers removed; roles (:c:func:`kmalloc` -> kmalloc, `text <target>`_ -> text),
#     ``literals``, *emphasis*, |substitutions| and escapes unwrapped.
#   pod: verbatim paragraphs (code), =begin/=end blocks and commands dropped, =head/=item
#     text kept, B<> I<> C<> L<> E<> ... unwrapped.
#   man: SYNOPSIS, SEE ALSO, AUTHORS, COPYRIGHT, COLOPHON sections, .nf/.EX/.TS blocks and
#     indented lines dropped; font macros and escapes resolved; a .TP term is a paragraph.
#   html: script, style, pre, tables, nav/header/footer, javadoc signatures and Parameters:/
#     Returns: lists, Haddock and Erlang signatures, navigation bars dropped; block tags end
#     a paragraph; entities decoded; paragraphs that look like signatures (-> or :: and no
#     final punctuation) dropped.
#   dictd: headword lines dropped; FOLDOC's <domain> tags and [{Jargon File}] removed,
#     {links} and _emphasis_ unwrapped. gcide (lines): the pronunciations left in the cache
#     ("(koun`t?r-ch?rm")") removed, {cross references} unwrapped without their * " ` marks.
#   all: wrapped lines joined (one paragraph per line), URLs and e-mail addresses removed,
#     control characters removed, white space collapsed; a paragraph is kept only if it has
#     >= 4 words, >= 60% letters among its non-space characters, and (when it has >= 8 words)
#     at least one common English word (the, of, and, to, is, ...), and it is not a pull
#     request's line of release notes ("#5921: DOC: ..."). A paragraph already
#     written earlier (exact text, any source) is not written again: this removes the
#     boilerplate repeated on every page (navigation, licence notices).
#
# Documents: a file, or for the line-based sources (kjv, wordnet, gcide, the dictionaries)
# a group of 100 consecutive lines/entries, named "<source>/<path or group number>". The split
# is deterministic and independent of file order: FNV-1a (32-bit) of the document's name,
# h % 1000 < 12 -> val.txt (1.2% of the documents, ~1% of the words), else train.txt. Sources in the fixed order below, files in byte
# order of their paths (LC_ALL=C sort), so the same packages give the same bytes.
# Output: <cache>/pretrain/{train,val}.txt (UTF-8, one paragraph per line, no blank lines),
# manifest.json: per source the package, version, .deb sha256, licence, and
# documents/lines/words/bytes in train and val; sha256 of both files; totals. "tokens" is
# null: the C++ program that tokenizes the corpus counts them. Used by chapter 8.
# Needs perl, dpkg, apt-get; ~480 MB of downloads; a few minutes on 2 cores.
source "$(dirname "$0")/lib.sh"
recipes="$(cd "$(dirname "$0")" && pwd)"
cache="${1:-data/cache}"
out="$cache/pretrain"
[ -f "$out/manifest.json" ] && { echo "pretrain: already in $out"; exit 0; }
for tool in perl dpkg dpkg-deb apt-get iconv; do
  command -v $tool >/dev/null || { echo "pretrain: needs $tool" >&2; exit 1; }
done
for r in kjv wordnet gcide; do bash "$recipes/$r.sh" "$cache" >/dev/null; done
work="$(realpath -m "$out/work")"
rm -rf "$work"; mkdir -p "$work/par"

# name;package;format;licence;directory in the package;files (regex on the path under it);left out (regex)
cat > "$work/sources" <<'TABLE'
foldoc;dict-foldoc;dictd;GFDL-1.1+, no invariant sections (FOLDOC, Denis Howe);usr/share/dictd;^foldoc\.dict\.dz$;
jargon;dict-jargon;dictd;public domain (The Jargon File 4.4.7);usr/share/dictd;^jargon\.dict\.dz$;
devil;dict-devil;dictd;public domain (Ambrose Bierce);usr/share/dictd;^devil\.dict\.dz$;
linux;linux-doc-6.1;rst;GPL-2;usr/share/doc/linux-doc-6.1/Documentation;\.rst\.gz$;^translations/
python;python3.11-doc;rst;PSF-2;usr/share/doc/python3.11/html/_sources;\.rst\.txt$;
sklearn;python-sklearn-doc;rst;BSD-3-Clause;usr/share/doc/python-sklearn-doc/html/_sources;\.rst\.txt$;
pandas;python-pandas-doc;rst;BSD-3-Clause;usr/share/doc/python-pandas-doc/html/_sources;\.rst\.txt$;
astropy;python-astropy-doc;rst;BSD-3-Clause;usr/share/doc/python-astropy-doc/html/_sources;\.rst\.txt$;
pytest;python-pytest-doc;rst;MIT (Expat);usr/share/doc/python-pytest-doc/html/_sources;\.rst\.txt$;
celery;python-celery-doc;rst;BSD-3-Clause;usr/share/doc/python-celery-doc/html/_sources;\.rst\.txt$;
sympy;python-sympy-doc;rst;BSD-3-Clause;usr/share/doc/python-sympy-doc/html/_sources;\.rst\.txt$;
dask;python-dask-doc;rst;BSD-3-Clause;usr/share/doc/python-dask-doc/html/_sources;\.rst\.txt$;
xarray;python-xarray-doc;rst;Apache-2.0;usr/share/doc/python-xarray-doc/html/_sources;\.rst\.txt$;
statsmodels;python-statsmodels-doc;rst;BSD-3-Clause;usr/share/doc/python-statsmodels-doc/html/_sources;\.rst\.txt$;
skimage;python-skimage-doc;rst;BSD-3-Clause;usr/share/doc/python-skimage-doc/html/_sources;\.rst\.txt$;
sphinx;sphinx-doc;rst;BSD-2-Clause;usr/share/doc/sphinx-doc/html/_sources;\.rst\.txt$;
sqlalchemy;python-sqlalchemy-doc;rst;MIT (Expat);usr/share/doc/python-sqlalchemy-doc/rst;\.rst$;
perl;perl-doc;pod;GPL-1+ or Artistic;usr/share/perl;\.pod$;
manpages;manpages;man;free licences per page (mostly GPL-2+ and verbatim copying), see the package's copyright;usr/share/man;\.gz$;
manpages-dev;manpages-dev;man;free licences per page (mostly GPL-2+ and verbatim copying), see the package's copyright;usr/share/man;\.gz$;
django;python-django-doc;html;BSD-3-Clause;usr/share/doc/python-django-doc/html;\.html$;
scipy;python-scipy-doc;html;BSD-3-Clause;usr/share/doc/python-scipy-doc/html;\.html$;
postgresql;postgresql-doc-15;html;PostgreSQL;usr/share/doc/postgresql-doc-15/html;\.html$;
git;git-doc;html;GPL-2;usr/share/doc/git-doc;\.html$;
handbook;debian-handbook;html;GPL-2+ or CC-BY-SA-3.0;usr/share/doc/debian-handbook/html/en-US;\.html$;
racket;racket-doc;html;MIT or Apache-2.0;usr/share/doc/racket;\.html$;deinprogramm
openjdk;openjdk-17-doc;html;GPL-2 with the Classpath exception;usr/share/doc/openjdk-17-jre-headless/api;\.html$;
rust;rust-doc;html;MIT or Apache-2.0;usr/share/doc/rust-doc/html;^(book|reference|nomicon|edition-guide|rustc|embedded-book|rust-by-example)/.*\.html$;
erlang;erlang-doc;html;Apache-2.0;usr/share/doc/erlang-doc;\.html$;
ghc;ghc-doc;html;BSD-3-Clause (GHC), see the package's copyright;usr/share/doc/ghc-doc/html;\.html$;^libraries/ghc-[0-9]
nodejs;nodejs-doc;html;MIT (Expat);usr/share/doc/nodejs/api;\.html$;^all\.html$
apache;apache2-doc;html;Apache-2.0;usr/share/doc/apache2-doc/manual/en;\.html$;
octave;octave-doc;html;GPL-3+;usr/share/doc/octave;\.html$;
libssl;libssl-doc;man;Apache-2.0;usr/share/man;\.gz$;
TABLE
# Index and navigation pages, source listings, search pages: left out of every HTML source.
html_out='(^|/)(genindex|search|py-modindex|bookindex|doc-index|print|toc|404|allclasses-index|allpackages-index|constant-values|deprecated-list|serialized-form|help-doc|overview-tree|package-tree|package-use|index-all)[^/]*\.html$|(^|/)(_modules|_static|_sources|_images|index-files|class-use|legal|search)/'

cat > "$work/clean.pl" <<'PERL'
# clean.pl <format> <name> <root> [files...]: prints the source's documents as
# "\x01<name>/<document id>" lines, each followed by its prose paragraphs, one per line.
# Formats: rst, pod, man, html (files under <root>), lines, dictd (one file; documents are
# groups of 100 lines / entries). Input bytes that are not UTF-8 are decoded as Windows-1252.
use strict; use warnings;
use Encode qw(decode);
use IO::Uncompress::Gunzip qw($GunzipError);
my ($format, $name, $root, @files) = @ARGV;
binmode STDOUT, ":encoding(UTF-8)";

sub slurp {
  my ($path) = @_; my $bytes;
  if ($path =~ /\.(gz|dz)$/) {
    IO::Uncompress::Gunzip::gunzip($path => \$bytes, MultiStream => 1) or die "$name: $path: $GunzipError\n";
  } else {
    open(my $fh, "<:raw", $path) or die "$name: $path: $!\n"; local $/; $bytes = <$fh>; close $fh;
  }
  my $text = decode("UTF-8", $bytes, sub { decode("cp1252", chr(shift)) });
  $text =~ s/\r\n?/\n/g; $text =~ s/^\x{FEFF}//;
  return $text;
}

# The filters every paragraph goes through: URLs and e-mail addresses removed, control
# characters removed, white space collapsed; kept only with >= 4 words and >= 60% letters
# among the non-space characters.
sub finish {
  my ($p) = @_;
  $p =~ s{<?\b(?:https?|ftp|file|git)://[^\s>)\]]*>?}{}g;
  $p =~ s{\bwww\.[\w-]+\.[\w./~%?=&#-]*}{}g;
  $p =~ s{<?\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+>?}{}g;
  $p =~ s/(?<!\w)\(\s*\)//g; $p =~ s/\[\s*\]//g; $p =~ s/<\s*>//g;   # brackets left empty
  $p =~ s/[\x00-\x1f\x7f-\x9f\x{200B}\x{FEFF}]/ /g;
  $p =~ s/\s+/ /g; $p =~ s/^ | $//g;
  return undef if $p =~ /^#\d+: /;                # lists of pull requests ("#5921: DOC: ...")
  my @w = split / /, $p; return undef if @w < 4;
  (my $ns = $p) =~ s/ //g;
  my $letters = () = $ns =~ /\p{L}/g;
  return undef if $letters < 0.6 * length($ns);
  # English: a paragraph of 8 or more words holds at least one of these words
  return undef if @w >= 8 && !grep { /^\W*(?:the|of|and|to|is|that|with|for|are|be|by|this|from|it|you|we|if|can|not)\W*$/i } @w;
  return $p;
}

my $ndocs = 0;
sub emit {
  my ($id, @pars) = @_;
  my @kept = grep { defined } map { finish($_) } @pars;
  return unless @kept;
  print "\x01$name/$id\n", map { "$_\n" } @kept;
  $ndocs++;
}

# ---------------------------------------------------------------- reStructuredText
my %rst_keep = map { $_ => 1 } qw(note warning attention caution danger error hint important
  tip admonition seealso versionadded versionchanged deprecated topic sidebar container only
  glossary rubric describe option cmdoption envvar program epigraph highlights pull-quote
  compound class function method attribute data exception module decorator decoratormethod
  classmethod staticmethod coroutinefunction coroutinemethod abstractmethod property
  opcode pdbcommand 2to3fixer type member macro struct union enum enumerator var
  confval event setting fixture hlist tabs tab tab-set tab-item dropdown grid-item-card);
sub rst_inline {
  local $_ = shift;
  s/\\\n//g;
  s/(?::[\w.+-]+)+:`([^`]*)`/rst_role($1)/ge;      # :c:func:`kmalloc` -> kmalloc
  s/`([^`]*)`:[\w.+-]+:/rst_role($1)/ge;             # `x`:role:
  s/``(.+?)``/$1/g;                                  # ``literal``
  s/`([^`<]*?)\s*<[^>`]*>`__?/$1/g;                  # `text <target>`_
  s/`([^`]+)`__?/$1/g;                               # `reference`_ and `interpreted`
  s/\[(?:#\w*|\*|\d+|[\w.-]+)\]_//g;                 # footnote and citation refs
  s/\b([\w.-]+)__?(?=[\s.,;:!?)]|$)/$1/g;            # word_ references
  s/\*\*(.+?)\*\*/$1/g; s/(?<![\w*])\*(\S(?:.*?\S)?)\*(?![\w*])/$1/g;
  s/\|(\w[\w -]*)\|_{0,2}/$1/g;                      # |substitution|
  s/\\([^\w\s])/$1/g; s/\\ //g;                      # escapes
  return $_;
}
sub rst_role {
  my $t = shift;
  if ($t =~ /^(.*?)\s*<[^>]*>$/s && $1 ne "") { $t = $1; }
  $t =~ s/^!//;
  if ($t =~ /^~(.*)$/) { $t = $1; $t =~ s/.*\.(?=\w)//; }
  return $t;
}
sub rst {
  my ($text) = @_;
  $text =~ s/\t/        /g;
  my @lines = split /\n/, $text, -1;
  my (@pars, @cur);
  my ($cur_indent, $skip_above, $literal_next) = (0, undef, 0);
  my $flush = sub { if (@cur) { push @pars, rst_inline(join(" ", @cur)); @cur = (); } };
  my $n = @lines;
  for (my $i = 0; $i < $n; $i++) {
    my $l = $lines[$i];
    $l =~ s/\s+$//;
    my ($ind) = $l =~ /^( *)/; $ind = length $ind;
    if (defined $skip_above) {                        # inside a block we drop
      next if $l eq "" || $ind > $skip_above;
      undef $skip_above;
    }
    if ($l eq "") {
      if (@cur && $literal_next) { $flush->(); $skip_above = $cur_indent; $literal_next = 0; next; }
      $flush->(); next;
    }
    my $s = substr($l, $ind);
    # section underlines and overlines, transitions
    if ($s =~ /^([=\-~^"'`#*+<>_:.])\1{2,}$/) { $flush->(); next; }
    # grid tables and simple tables
    if ($s =~ /^\+[-=+]+\+$/ || $s =~ /^=+(?: +=+)+$/) {
      $flush->(); my $rules = 0;
      for (; $i < $n; $i++) {
        my $t = $lines[$i]; $t =~ s/\s+$//;
        last if $t eq "" && ($s =~ /^\+/ || $rules >= 3 || ($rules >= 2 && ($i + 1 >= $n || $lines[$i+1] =~ /^\s*$/)));
        $rules++ if $t =~ /^\s*=+(?: +=+)+$/;
      }
      next;
    }
    # explicit markup: directives, comments, targets, footnotes, substitution definitions
    if ($s =~ /^\.\.(?: |$)/) {
      $flush->();
      if ($s =~ /^\.\. ([\w:.+-]+)::(.*)$/ && !($s =~ /^\.\. \|/)) {
        my $d = lc $1; $d =~ s/^\w+://;                # py:function -> function
        if ($rst_keep{$d}) {
          # drop the argument line and the options; keep the body as prose
          while ($i + 1 < $n && $lines[$i+1] =~ /^\s+:[\w -]+:(?:\s|$)/) { $i++; }
          next;
        }
      }
      $skip_above = $ind; next;                      # anything else: drop it and its body
    }
    next if $s =~ /^__ /;                             # anonymous targets
    if ($s =~ /^>>>/) { $flush->(); $i++ while $i + 1 < $n && $lines[$i+1] !~ /^\s*$/; next; }   # doctest blocks
    # lists, field lists, line blocks: each item starts a paragraph
    my $text_col = $ind;
    if ($s =~ /^(?:[-*+\x{2022}]|#\.|\(?(?:\d+|[a-zA-Z]|[ivxIVX]+)[.)]) +(?=\S)/) {
      $flush->(); $text_col = $ind + length($&); $s = substr($s, length($&));
    } elsif ($s =~ /^:([^:`]+):(?: +|$)/) {           # :field: text
      $flush->(); $text_col = $ind + 4; $s = substr($s, length($&));
    } elsif ($s =~ /^\| /) { $flush->(); $s = substr($s, 2); }
    elsif (@cur && $ind != $cur_indent) { $flush->(); }
    next if $s eq "";
    # a paragraph ending in "::" introduces a literal block
    my $lit = 0;
    if ($s =~ /::$/) {
      $lit = 1;
      if ($s eq "::") { $s = ""; } elsif ($s =~ /\s::$/) { $s =~ s/\s*::$//; } else { $s =~ s/::$/:/; }
    }
    if (!@cur) { $cur_indent = $text_col; }
    push @cur, $s if $s ne "";
    if ($lit) {
      $literal_next = 1;
      # when the literal block follows without any text in this paragraph, skip it anyway
      if (!@cur) { $skip_above = $ind; $literal_next = 0; }
      else { $cur_indent = $ind if $ind < $cur_indent; }
    }
  }
  $flush->();
  return @pars;
}

# ---------------------------------------------------------------- POD
my %pod_ent = (lt => "<", gt => ">", amp => "&", quot => '"', apos => "'", verbar => "|", sol => "/",
  nbsp => " ", copy => "\x{A9}", eacute => "\x{E9}", egrave => "\x{E8}", uuml => "\x{FC}", ouml => "\x{F6}",
  auml => "\x{E4}", aacute => "\x{E1}", iacute => "\x{ED}", oacute => "\x{F3}", ccedil => "\x{E7}");
sub pod_codes {
  local $_ = shift;
  1 while s/\b([A-Z])<{2,}\s+(.*?)\s+>{2,}/pod_code($1, $2)/se;
  1 while s/\b([A-Z])<([^<>]*)>/pod_code($1, $2)/se;
  return $_;
}
sub pod_code {
  my ($c, $t) = @_;
  return "" if $c eq "X" || $c eq "Z";
  if ($c eq "E") { return $t =~ /^0x([0-9a-f]+)$/i ? chr(hex $1) : $t =~ /^\d+$/ ? chr($t) : ($pod_ent{$t} // ""); }
  if ($c eq "L") {
    return $1 if $t =~ /^(.*?)\|/s;
    $t =~ s{^(.*?)/"?(.*?)"?$}{$2 ne "" ? ($1 ne "" ? "$2 in $1" : $2) : $1}se;
    return $t;
  }
  return $t;
}
sub pod {
  my ($text) = @_;
  my @pars; my $skip = 0; my $cut = 1;
  for my $p (split /\n[ \t]*\n/, $text) {
    $p =~ s/^\n+//;
    next if $p eq "";
    if ($p =~ /^=(\w+)\s*(.*)/s) {
      my ($cmd, $arg) = ($1, $2); $cut = 0;
      if ($cmd eq "cut") { $cut = 1; next; }
      if ($cmd eq "begin") { $skip = 1; next; }
      if ($cmd eq "end") { $skip = 0; next; }
      next if $skip;
      if ($cmd =~ /^head\d$/ || $cmd eq "item") {
        $arg =~ s/^(?:\*|\d+\.?)\s*//; push @pars, pod_codes($arg) if $arg ne ""; }
      next;                                         # =over, =back, =for, =encoding, =pod
    }
    next if $cut || $skip;
    next if $p =~ /^[ \t]/;                          # verbatim (code)
    push @pars, pod_codes($p);
  }
  return @pars;
}

# ---------------------------------------------------------------- man (roff)
my %roff_ch = (em => "\x{2014}", en => "\x{2013}", aq => "'", dq => '"', lq => "\x{201C}", rq => "\x{201D}",
  oq => "\x{2018}", cq => "\x{2019}", bu => "", co => "\x{A9}", rg => "\x{AE}", mu => "\x{D7}", hy => "-",
  ti => "~", ha => "^", "at" => "@", sh => "#", rs => "\\", bv => "|", ba => "|", "<=" => "\x{2264}", ">=" => "\x{2265}",
  "->" => "\x{2192}", "<-" => "\x{2190}", de => "\x{B0}", "+-" => "\x{B1}", "'e" => "\x{E9}", ":u" => "\x{FC}",
  ":o" => "\x{F6}", ":a" => "\x{E4}", "'a" => "\x{E1}", "ga" => "`", ul => "_", pl => "+", eq => "=", "!=" => "\x{2260}");
sub roff_text {
  local $_ = shift;
  s/\\\*\((\S\S)/$1 eq "lq" ? "\x{201C}" : $1 eq "rq" ? "\x{201D}" : ""/ge;   # \*(lq
  s/\\\*\[[^\]]*\]//g; s/\\\*\S//g;
  s/\\f(?:\(..|\[[^\]]*\]|.)//g;                     # fonts
  s/\\s[-+]?\d+//g; s/\\s\([-+]?\d+//g;
  s/\\\((..)/$roff_ch{$1} \/\/ ""/ge;
  s/\\\[(\w+)\]/$roff_ch{$1} \/\/ ""/ge; s/\\\[[^\]]*\]//g;
  s/\\[-]/-/g; s/\\e/\\/g; s/\\[&|^:%c)]//g; s/\\[ ~0]/ /g;
  s/\\[hvwuodkmnzg]'[^']*'//g; s/\\[nkg](?:\(..|\[[^\]]*\]|.)//g;
  s/\\(.)/$1/g;
  return $_;
}
sub roff_args {
  my $a = shift; my @a;
  while ($a =~ /\G\s*(?:"((?:[^"]|"")*)"|(\S+))/g) { my $x = defined $1 ? $1 : $2; $x =~ s/""/"/g; push @a, $x; }
  return @a;
}
sub man {
  my ($text) = @_;
  my (@pars, @cur); my ($skip, $skipsec, $tag) = ("", 0, 0);
  my $flush = sub { if (@cur) { push @pars, roff_text(join(" ", @cur)); @cur = (); } };
  for my $l (split /\n/, $text) {
    next if $l =~ /^[.']\s*\\"/ || $l =~ /^\.\s*$/;
    if ($skip) { $skip = "" if $l =~ /^[.']\s*$skip(?:\s|$)/; next; }
    if ($l =~ /^[.']\s*(\S+)\s*(.*)$/) {
      my ($m, $a) = ($1, $2);
      if (!$skipsec && $m =~ /^(?:B|I|SM|SB|BR|RB|IR|RI|BI|IB)$/) {     # fonts: inside the paragraph
        my $t = join($m =~ /^..$/ && $m ne "SM" && $m ne "SB" ? "" : " ", roff_args($a));
        if ($tag) { $tag = 0; push @pars, roff_text($t); } else { push @cur, $t; }
        next;
      }
      $flush->();
      if ($m eq "TS") { $skip = "TE"; next; }
      if ($m eq "EX") { $skip = "EE"; next; }
      if ($m eq "nf") { $skip = "fi"; next; }
      if ($m eq "EQ") { $skip = "EN"; next; }
      if ($m eq "de" || $m eq "ig") { $skip = "\\."; next; }
      if ($m eq "SH" || $m eq "SS") {
        my $h = join(" ", roff_args($a));
        $skipsec = ($m eq "SH" && $h =~ /^(?:SYNOPSIS|SEE ALSO|COLOPHON|AUTHORS?|COPYRIGHT|REPORTING BUGS)\b/i) ? 1 : 0 if $m eq "SH";
        next;
      }
      next if $skipsec;
      if ($m eq "TP") { $tag = 1; next; }
      next;                                          # .PP .IP .RS .br .sp .so ... : a break
    }
    next if $skipsec;
    if ($tag) { $tag = 0; push @pars, roff_text($l); next; }   # the term of a .TP item
    if ($l =~ /^\s/) { $flush->(); push @pars, ""; next; }       # indented: preformatted
    push @cur, $l;
  }
  $flush->();
  return @pars;
}

# ---------------------------------------------------------------- HTML
my %ent = (amp => "&", lt => "<", gt => ">", quot => '"', apos => "'", nbsp => " ", mdash => "\x{2014}",
  ndash => "\x{2013}", hellip => "\x{2026}", rsquo => "\x{2019}", lsquo => "\x{2018}", ldquo => "\x{201C}",
  rdquo => "\x{201D}", copy => "\x{A9}", reg => "\x{AE}", trade => "\x{2122}", para => "", sect => "\x{A7}",
  times => "\x{D7}", rarr => "\x{2192}", larr => "\x{2190}", laquo => "\x{AB}", raquo => "\x{BB}",
  eacute => "\x{E9}", egrave => "\x{E8}", uuml => "\x{FC}", ouml => "\x{F6}", auml => "\x{E4}",
  ccedil => "\x{E7}", aacute => "\x{E1}", oacute => "\x{F3}", iacute => "\x{ED}", ntilde => "\x{F1}",
  deg => "\x{B0}", plusmn => "\x{B1}", middot => "\x{B7}", bull => "", thinsp => " ", ensp => " ", emsp => " ",
  zwj => "", zwnj => "", shy => "", le => "\x{2264}", ge => "\x{2265}", ne => "\x{2260}", minus => "\x{2212}",
  lambda => "\x{3BB}", alpha => "\x{3B1}", beta => "\x{3B2}", pi => "\x{3C0}", mu => "\x{3BC}", micro => "\x{B5}");
sub html {
  local $_ = shift;
  $_ = $1 if m{<main\b[^>]*>(.*)</main>}s;           # javadoc, rustdoc, mdBook: the content
  $_ = $1 if m{<div (?:class="body"|role="main")[^>]*>(.*)}s;   # Sphinx
  s/<!--.*?-->//gs;
  s{<(script|style|pre|svg|math|head|nav|header|footer|textarea|select|button)\b.*?</\1\s*>}{\n\n}gsi;
  1 while s{<table\b(?:(?!<table\b).)*?</table\s*>}{\n\n}gsi;           # innermost tables first
  s{<dl class="notes">.*?</dl>}{\n\n}gs;                                     # javadoc Parameters:, Returns:, See Also:
  s{<div class="(?:inherited-list|navset\w+)">.*?</div>}{\n\n}gs;           # javadoc, Racket navigation
  s{<ul class="docnav">.*?</ul>}{\n\n}gs;                                    # Publican navigation
  s{<div class="(?:member|type)-signature">.*?</div>}{\n\n}gs;                  # javadoc
  s{<(h\d)[^>]*class="[^"]*code-header[^"]*"[^>]*>.*?</\1>}{\n\n}gs;            # rustdoc
  s{<section class="(?:nested-class|field|constructor|method|enum-constant|annotation-type-\w+)-summary"[^>]*>.*?</section>}{\n\n}gs;
  s{<a class="headerlink"[^>]*>.*?</a>}{}gs; s{<a [^>]*>#</a>}{}g;          # permalinks
  s{<(p|li) class="src[^"]*">.*?</\1>}{\n\n}gs;                                 # Haddock signatures
  s{<div class="REFTYPES[^"]*">.*?</div>}{\n\n}gs;                             # Erlang types
  s{</?(?:p|div|li|ul|ol|dl|dt|dd|h\d|br|tr|td|th|blockquote|section|article|hr|title|body|html|aside|figure|figcaption|caption|details|summary|main)\b[^>]*>}{\n\n}gi;
  s/<[^>]*>//g;
  s/&#[xX]([0-9a-fA-F]+);/chr(hex $1)/ge; s/&#(\d+);/chr($1)/ge;
  s/&(\w+);/$ent{$1} \/\/ ""/ge;
  s/\x{B6}//g;                                      # pilcrow permalinks
  # signatures ("f :: Int -> Int", "create(This) -> boolean()", Octave's ": x = f (y)")
  return grep { !(/->|::/ && !/[.!?:]\s*$/) && !/^\s*: / } split /\n\s*\n/;
}

# ---------------------------------------------------------------- line-based sources
if ($format eq "lines" || $format eq "dictd") {
  my $text = slurp($files[0]);
  my @items;
  if ($format eq "lines") {
    @items = split /\n/, $text;
    if ($name eq "gcide") {                           # what the gcide cache still holds
      for (@items) {
        s/ ?\((?=[^()]*["`])[^()\s;]*(?:;\s*\d+)?\)//g;   # pronunciations: (koun`t?r-ch?rm")
        s/\{([^{}]*)\}/my $x = $1; $x =~ s{[*"`]+}{}g; $x/ge;   # {Ap*pro"pri*a*tive*ness}
        s/ +([,;])/$1/g;
      }
    }
  }
  else {
    for my $p (split /\n[ \t]*\n/, $text) {
      next if $p =~ /^\s*00-?database/;
      my @l = split /\n/, $p;
      @l = grep { /^\s/ } @l if grep { /^\s/ } @l;     # dictd headword lines (not indented)
      $p = join(" ", @l);
      $p =~ s/(?:^|(?<=\s))<[a-z][\w ,.-]*>\s*//g;     # FOLDOC domain tags: <programming>
      $p =~ s/\[\{[^\]]*\}\]//g;                      # [{Jargon File}]
      $p =~ s/\{([^{}]*)\}/$1/g; $p =~ s/\b_([^_]+)_\b/$1/g;
      $p =~ s/^\s*\(\d{4}-\d\d-\d\d\)\s*$//;          # FOLDOC dates
      push @items, $p;
    }
  }
  for (my $g = 0; $g * 100 < @items; $g++) {
    my $hi = ($g + 1) * 100 - 1; $hi = $#items if $hi > $#items;
    emit(sprintf("%05d", $g), @items[$g * 100 .. $hi]);
  }
} else {
  my $sub = { rst => \&rst, pod => \&pod, man => \&man, html => \&html }->{$format} or die "clean.pl: unknown format $format\n";
  @files = map { chomp; $_ } <STDIN> unless @files;
  for my $f (@files) {
    my $text = slurp("$root/$f");
    next if $format eq "man" && $text =~ /^\.so /;    # a man page that is a link
    (my $id = $f) =~ s/\.(gz|txt)$//;
    emit($id, $sub->($text));
  }
}
print STDERR "$name: $ndocs documents\n";
PERL

# [book:pretrain-split]
cat > "$work/merge.pl" <<'PERL'
# merge.pl <out> <pardir> <source>...: the sources' documents, in this order, into train.txt
# and val.txt: FNV-1a(document name) % 1000 < 12 -> val; a paragraph already written is skipped.
use strict; use warnings;
use Digest::MD5 qw(md5);
my ($out, $pardir, @names) = @ARGV;
open(my $tr, ">:raw", "$out/train.txt.tmp") or die "pretrain: $out/train.txt.tmp: $!\n";
open(my $va, ">:raw", "$out/val.txt.tmp") or die "pretrain: $out/val.txt.tmp: $!\n";
my (%seen, %c);
my $dup = 0;
for my $name (@names) {
  open(my $in, "<:raw", "$pardir/$name.txt") or die "pretrain: $pardir/$name.txt: $!\n";
  my ($fh, $s) = ($tr, "train");
  while (my $l = <$in>) {
    if ($l =~ /^\x01(.*)\n/) {                       # a document starts: which split?
      my $h = 0x811c9dc5;                             # FNV-1a over the name's UTF-8 bytes
      for my $b (unpack("C*", $1)) { $h = (($h ^ $b) * 16777619) & 0xffffffff; }
      ($fh, $s) = $h % 1000 < 12 ? ($va, "val") : ($tr, "train");
      $c{$name}{$s}{documents}++;
      next;
    }
    if ($seen{md5($l)}++) { $dup++; next; }           # written before (any source, any split)
    print $fh $l;
    my $st = $c{$name}{$s} //= {};
    $st->{lines}++; $st->{bytes} += length $l;
    $st->{words} += () = $l =~ /\S+/g;
  }
}
close $tr or die; close $va or die;
open(my $js, ">", "$out/counts.tmp") or die;
for my $name (@names) {
  print $js $name, "\t", join(", ", map { my $s = $_; "\"$s\": {" . join(", ", map { "\"$_\": " . ($c{$name}{$s}{$_} // 0) } qw(documents lines words bytes)) . "}" } qw(train val)), "\n";
}
close $js;
print STDERR "pretrain: $dup repeated paragraphs skipped\n";
PERL
# [/book]

# one_source <table line>: fetches the package, unpacks it, cleans its directory into
# par/<name>.txt; par/<name>.meta gets package, version, .deb sha256, files, licence.
one_source() {
  local name pkg format licence dir files leftout
  IFS=';' read -r name pkg format licence dir files leftout <<< "$1"
  local d="$work/src/$name"
  mkdir -p "$d/debs" "$d/root"
  (cd "$d/debs" && apt-get download "$pkg" >/dev/null 2>"$d/apt.log") || {
    echo "pretrain: apt-get download $pkg failed:" >&2; cat "$d/apt.log" >&2
    echo "(try: sudo apt-get update)" >&2; return 1; }
  local deb; deb=$(ls "$d"/debs/*.deb)
  dpkg -x "$deb" "$d/root"
  [ -d "$d/root/$dir" ] || { echo "pretrain: $pkg has no $dir" >&2; return 1; }
  local ex="$leftout"
  [ "$format" = html ] && ex="${ex:+$ex|}$html_out"
  (cd "$d/root/$dir" && find . -type f | sed 's|^\./||' | { grep -E "$files" || true; } \
     | { if [ -n "$ex" ]; then grep -Ev "$ex" || true; else cat; fi; } | LC_ALL=C sort) > "$d/files"
  local n; n=$(wc -l < "$d/files")
  [ "$n" -gt 0 ] || { echo "pretrain: no files matching $files in $pkg's $dir" >&2; return 1; }
  if [ "$format" = dictd ]; then
    nice perl "$work/clean.pl" dictd "$name" "$d/root/$dir" "$d/root/$dir/$(head -1 "$d/files")"
  else
    nice perl "$work/clean.pl" "$format" "$name" "$d/root/$dir" < "$d/files"
  fi > "$work/par/$name.txt.tmp" 2>"$d/clean.log" || {
    echo "pretrain: cleaning $name failed:" >&2; cat "$d/clean.log" >&2; return 1; }
  mv "$work/par/$name.txt.tmp" "$work/par/$name.txt"
  printf '%s\t%s\t%s\t%s\t%s\n' "$pkg" "$(dpkg-deb -f "$deb" Version)" "$(sha256sum "$deb" | cut -d' ' -f1)" "$n" "$licence" > "$work/par/$name.meta"
  rm -rf "$d"
  echo "pretrain: $name ($pkg): $n files, $(grep -vc $'^\x01' "$work/par/$name.txt") paragraphs"
}
export -f one_source; export work html_out

start=$(date +%s)
# The caches: every line is an item; documents are groups of 100 lines.
for src in kjv:kjv/kjv.txt wordnet:wordnet/glosses.txt gcide:gcide/gcide.txt; do
  name=${src%%:*}
  nice perl "$work/clean.pl" lines "$name" . "$cache/${src#*:}" > "$work/par/$name.txt" 2>/dev/null
done
# Two packages at a time.
xargs -d '\n' -P 2 -I{} bash -c 'set -euo pipefail; one_source "$1"' _ {} < "$work/sources" || {
  echo "pretrain: a source failed (see above)" >&2; exit 1; }
names="kjv wordnet gcide $(cut -d';' -f1 "$work/sources" | tr '\n' ' ')"
nice perl "$work/merge.pl" "$out" "$work/par" $names

for s in train val; do
  f="$out/$s.txt.tmp"
  iconv -f UTF-8 -t UTF-8 "$f" >/dev/null || { echo "pretrain: $s.txt is not valid UTF-8" >&2; exit 1; }
  if LC_ALL=C grep -q -P '[\x00-\x09\x0b-\x1f\x7f]' "$f"; then echo "pretrain: $s.txt holds control characters" >&2; exit 1; fi
done
val_words=$(wc -w < "$out/val.txt.tmp")
[ "$val_words" -ge 150000 ] || { echo "pretrain: the validation split has only $val_words words" >&2; exit 1; }
mv "$out/train.txt.tmp" "$out/train.txt"; mv "$out/val.txt.tmp" "$out/val.txt"

# The manifest: the sources in order with their counts, then the two files.
json_str() { printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g'; }
sources_json=""
while IFS=$'\t' read -r name counts; do
  case $name in
    kjv|wordnet|gcide)
      m="$cache/$name/manifest.json"
      pk=$(perl -MJSON::PP -0777 -ne 'my $j = decode_json($_); my $p = $j->{packages};
        print join("\t", join(" + ", sort keys %$p), join(" + ", map { $p->{$_} } sort keys %$p), $j->{licence})' "$m")
      IFS=$'\t' read -r pkg ver lic <<< "$pk"
      meta="\"package\": \"$pkg\", \"version\": \"$ver\", \"from\": \"the $name cache ($name.sh)\", \"cache_manifest_sha256\": \"$(sha256 "$m")\", \"licence\": \"$(json_str "$lic")\"" ;;
    *)
      IFS=$'\t' read -r pkg ver debsha nfiles lic < "$work/par/$name.meta"
      meta="\"package\": \"$pkg\", \"version\": \"$ver\", \"deb_sha256\": \"$debsha\", \"files\": $nfiles, \"licence\": \"$(json_str "$lic")\"" ;;
  esac
  sources_json="$sources_json${sources_json:+,
}    \"$name\": {$meta, $counts}"
done < "$out/counts.tmp"
rm -f "$out/counts.tmp"
files=""; total=0
for s in train val; do
  f="$out/$s.txt"; w=$(wc -w < "$f"); total=$((total + w))
  files="$files${files:+, }\"$s.txt\": {\"sha256\": \"$(sha256 "$f")\", \"lines\": $(wc -l < "$f"), \"words\": $w, \"bytes\": $(wc -c < "$f"), \"tokens\": null}"
done
write_manifest "$out" "  \"name\": \"pretrain\",
  \"what\": \"English prose from Debian packages, one paragraph per line; documents split by FNV-1a(name) % 1000 < 12 -> val; a repeated paragraph kept once; tokens are counted by the tokenizer (null here)\",
  \"sources\": {
$sources_json
  },
  \"files\": {$files},
  \"total\": {\"words\": $total, \"tokens\": null}"
rm -rf "$work"
echo "pretrain: $(wc -w < "$out/train.txt") train words, $val_words val words in $out ($(( $(date +%s) - start )) s)"
