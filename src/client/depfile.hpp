// lel — make-style dependency files, as `-MD -MF` writes them.
//
// Threads: any.
#pragma once

#include <string>
#include <vector>

namespace lel::client {

/// The files a dependency file's `text` lists after its target, unescaped
/// (`\ `, `\#`, `\\`, `$$`, line continuations); empty if it has no target.
std::vector<std::string> dependencies_in(const std::string& text);

}  // namespace lel::client
