// Tokenizer for the drbd.conf-style configuration language.
//
//   word      any run of characters other than blanks, ; { } " #
//   string    "text" on one line; \" and \\ are the only escapes
//   ; { }     punctuation
//   # ...     comment to the end of the line
#pragma once

#include <string>
#include <string_view>

#include "config_error.h"

namespace rdbd {

enum class TokenKind { Word, String, OpenBrace, CloseBrace, Semicolon, End };

struct Token {
	TokenKind kind = TokenKind::End;
	std::string text;      // unquoted text of a word or string
	Location where;	       // first character
	int source_length = 0; // characters in the file, quotes included

	// The column just past the token: where a missing ';' belongs.
	Location end() const;
	// How error messages name the token: 'word', "string", '{', ...
	std::string describe() const;
};

class Lexer {
public:
	Lexer(std::string_view text, std::string file);
	Token next(); // throws ConfigError on an unterminated string

private:
	void skip_blanks_and_comments();
	Token read_string();
	Token read_word();
	char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
	bool at_end() const { return pos_ >= text_.size(); }
	void advance();
	Location here() const { return {file_, line_, col_}; }

	std::string_view text_;
	std::string file_;
	size_t pos_ = 0;
	int line_ = 1;
	int col_ = 1;
};

} // namespace rdbd
