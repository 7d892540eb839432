"""Every user-facing string, in English and Português (Brasil), in one catalogue.

``Translator(lang)("key", **args)`` formats a string. Arguments may hold text a user typed
(a word, a URL value), so each text argument is escaped for Markdown (Streamlit renders
Markdown, and a typed ``**`` or ``[x](y)`` must show as typed) and set in a bidi isolate
(U+2068 … U+2069), so right-to-left text cannot reorder the message around it. A list or
tuple argument is written as a list, cut after ``LIST_ITEMS`` items ("a, b, … and 492 more").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

LANG_NAMES = {"en": "English", "pt": "Português (Brasil)"}
LIST_ITEMS = 8  # a list in a message names at most this many items, then says how many more
_ISOLATE, _POP_ISOLATE = "\u2068", "\u2069"  # FIRST STRONG ISOLATE, POP DIRECTIONAL ISOLATE

_MD_SPECIAL = set("\\`*_{}[]()#+-.!|<>~$:&")


def escape_markdown(text: str) -> str:
    """``text`` with every Markdown-significant character backslash-escaped."""
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in text)


CATALOGUE: dict[str, dict[str, str]] = {
    # --- app and navigation ---
    "app.title": {"en": "Attention Explorer", "pt": "Explorador de Atenção"},
    "nav.home": {"en": "Home", "pt": "Início"},
    "nav.vocabulary": {"en": "Vocabulary", "pt": "Vocabulário"},
    "nav.self_attention": {"en": "Self-attention", "pt": "Autoatenção"},
    "nav.multi_head": {"en": "Multi-head", "pt": "Multi-cabeça"},
    "nav.add_norm": {"en": "Add & Norm", "pt": "Add & Norm"},
    "nav.feed_forward": {"en": "Feed-forward", "pt": "Feed-forward"},
    "nav.train": {"en": "Train the heads", "pt": "Treinar as cabeças"},
    # --- sidebar ---
    "sidebar.settings": {"en": "Settings for every page", "pt": "Ajustes de todas as páginas"},
    "sidebar.mode": {"en": "Mode", "pt": "Modo"},
    "sidebar.mode_help": {
        "en": "Paper: the math of Vaswani et al. (2017). Tutorial: the article's numpy code, exactly as printed.",
        "pt": "Artigo científico: a matemática de Vaswani et al. (2017). Tutorial: o código numpy do artigo, exatamente como publicado.",
    },
    "mode.paper": {"en": "Paper (Vaswani et al. 2017)", "pt": "Artigo científico (Vaswani et al. 2017)"},
    "mode.tutorial": {"en": "Tutorial (the article's code)", "pt": "Tutorial (o código do artigo)"},
    "sidebar.seed": {"en": "Random seed for the weights", "pt": "Semente aleatória dos pesos"},
    "sidebar.seed_help": {
        "en": "The same seed always gives the same weights. Allowed: {lo} to {hi}.",
        "pt": "A mesma semente sempre dá os mesmos pesos. Permitido: de {lo} a {hi}.",
    },
    "sidebar.lang": {"en": "Language / Idioma", "pt": "Idioma / Language"},
    "sidebar.link": {
        "en": "The address bar holds these settings: copy it to share this exact view.",
        "pt": "A barra de endereço guarda estes ajustes: copie-a para compartilhar exatamente esta visão.",
    },
    # --- notices about the URL ---
    "notice.param_not_number": {
        "en": "The link's {name}={value} is not a whole number, so it was ignored (allowed: {lo} to {hi}).",
        "pt": "O {name}={value} do link não é um número inteiro e foi ignorado (permitido: de {lo} a {hi}).",
    },
    "notice.param_not_real": {
        "en": "The link's {name}={value} is not a number, so it was ignored (allowed: {lo} to {hi}).",
        "pt": "O {name}={value} do link não é um número e foi ignorado (permitido: de {lo} a {hi}).",
    },
    "notice.param_cell": {
        "en": "The link's {name}={value} is not a cell: write the query's and the key's positions, such as {name}=3,1.",
        "pt": "O {name}={value} do link não é uma célula: escreva as posições da consulta e da chave, como {name}=3,1.",
    },
    "notice.param_clamped": {
        "en": "The link's {name}={value} is outside {lo} to {hi}; {used} is used instead.",
        "pt": "O {name}={value} do link está fora do intervalo de {lo} a {hi}; foi usado {used}.",
    },
    "notice.param_choice": {
        "en": "The link's {name}={value} is not one of {allowed}, so it was ignored.",
        "pt": "O {name}={value} do link não é um de {allowed} e foi ignorado.",
    },
    "notice.param_ignored": {
        "en": "The link's {name} was empty or unusable ({value}), so it was ignored.",
        "pt": "O {name} do link estava vazio ou inutilizável ({value}) e foi ignorado.",
    },
    "notice.param_unknown": {
        "en": "The link's parameter {name} is not one this app reads; it was ignored.",
        "pt": "O parâmetro {name} do link não é lido por este app e foi ignorado.",
    },
    "notice.sentence_cut": {
        "en": "The link's sentence has {n} words; only the first {max} are used.",
        "pt": "A frase do link tem {n} palavras; só as primeiras {max} são usadas.",
    },
    "notice.param_invisible": {
        "en": "The link's {name} held invisible characters, which were removed: {chars}.",
        "pt": "O {name} do link tinha caracteres invisíveis, que foram removidos: {chars}.",
    },
    "notice.dim_with_seed": {
        "en": "The link's dim={value} sets the width of random vectors; the article's table keeps its own width. Add preset=random to the link to use it.",
        "pt": "O dim={value} do link define a largura dos vetores aleatórios; a tabela do artigo mantém sua própria largura. Acrescente preset=random ao link para usá-lo.",
    },
    "notice.head_clamped": {
        "en": "The link asks to explain head {head}, but the model has {heads} heads; head {heads} is shown.",
        "pt": "O link pede para explicar a cabeça {head}, mas o modelo tem {heads} cabeças; a cabeça {heads} é mostrada.",
    },
    "notice.cell_outside": {
        "en": "The link's cell {cell} is outside the sentence of {t} tokens, so it was ignored.",
        "pt": "A célula {cell} do link fica fora da frase de {t} tokens e foi ignorada.",
    },
    "notice.param_heads": {
        "en": "The link's {name}={value} is not a list of heads (head numbers from 1 to {hi}, once each, such as {name}=1,3); {used} is used.",
        "pt": "O {name}={value} do link não é uma lista de cabeças (números de cabeças de 1 a {hi}, uma vez cada, como {name}=1,3); foi usado {used}.",
    },
    "notice.param_repeated": {
        "en": "The link gives {name} {n} times; only the last one is used.",
        "pt": "O link traz {name} {n} vezes; só o último é usado.",
    },
    "notice.param_too_long": {
        "en": "The link's {name} is {n} characters long, more than any value it can take (at most {max}), so it was ignored.",
        "pt": "O {name} do link tem {n} caracteres, mais do que qualquer valor que ele aceita (no máximo {max}), e foi ignorado.",
    },
    "notice.sentence_chars": {
        "en": "The link's sentence is {n} characters long; only its first {max} characters are read.",
        "pt": "A frase do link tem {n} caracteres; só os primeiros {max} caracteres são lidos.",
    },
    "notice.param_compat": {
        "en": "The link's {name} held characters in a compatibility form (such as full-width letters), which were replaced by their plain form (Unicode NFKC): {pairs}.",
        "pt": "O {name} do link tinha caracteres em forma de compatibilidade (como letras de largura total), que foram trocados pela forma simples (Unicode NFKC): {pairs}.",
    },
    "notice.more": {
        "en": "… and {n} more notices of this link or file.",
        "pt": "… e mais {n} avisos deste link ou arquivo.",
    },
    "notice.off_outside": {
        "en": "The link switches off heads {heads}, but the model has {n} heads; those were left out.",
        "pt": "O link desliga as cabeças {heads}, mas o modelo tem {n} cabeças; essas foram deixadas de fora.",
    },
    "list.more": {"en": " … and {n} more", "pt": " … e mais {n}"},
    "errors.more": {
        "en": "… and {n} more problems of the same kind.",
        "pt": "… e mais {n} problemas do mesmo tipo.",
    },
    # --- errors in what the user typed ---
    "error.sentence_empty": {
        "en": "The sentence is empty. Type at least one word, separated by spaces.",
        "pt": "A frase está vazia. Digite ao menos uma palavra, separadas por espaços.",
    },
    "error.sentence_too_long": {
        "en": "The sentence has {n} words; the limit is {max}.",
        "pt": "A frase tem {n} palavras; o limite é {max}.",
    },
    "error.word_too_long": {
        "en": "Words are limited to {max} characters; too long: {words}.",
        "pt": "As palavras têm no máximo {max} caracteres; longas demais: {words}.",
    },
    "error.unknown_words": {
        "en": "Not in the vocabulary: {words}. Add them to the table, or give them random vectors with the button below.",
        "pt": "Fora do vocabulário: {words}. Adicione-as à tabela, ou dê a elas vetores aleatórios com o botão abaixo.",
    },
    "error.sentence_kept": {
        "en": "The charts still use the last valid sentence: {sentence}",
        "pt": "Os gráficos ainda usam a última frase válida: {sentence}",
    },
    "error.table_shape": {
        "en": "The table needs a word column and at least one number column.",
        "pt": "A tabela precisa de uma coluna de palavras e ao menos uma coluna de números.",
    },
    "error.vocab_empty": {
        "en": "The vocabulary needs at least one word.",
        "pt": "O vocabulário precisa de ao menos uma palavra.",
    },
    "error.vocab_too_big": {
        "en": "{n} words is more than the limit of {max} words.",
        "pt": "{n} palavras passam do limite de {max} palavras.",
    },
    "error.word_empty": {
        "en": "Row {row}: the word is empty. Every word needs at least one character.",
        "pt": "Linha {row}: a palavra está vazia. Toda palavra precisa de ao menos um caractere.",
    },
    "error.word_space": {
        "en": "Row {row}: “{word}” contains a space. A word is one token, without spaces.",
        "pt": "Linha {row}: “{word}” contém espaço. Uma palavra é um token, sem espaços.",
    },
    "error.word_long": {
        "en": "Row {row}: the word is longer than {max} characters.",
        "pt": "Linha {row}: a palavra passa de {max} caracteres.",
    },
    "error.word_duplicate": {
        "en": "Row {row}: “{word}” is already in the table. Words must be unique.",
        "pt": "Linha {row}: “{word}” já está na tabela. As palavras devem ser únicas.",
    },
    "error.cell_not_number": {
        "en": "“{word}”, column {col}: “{value}” is not a number. Type a number such as 0.5 or -1.",
        "pt": "“{word}”, coluna {col}: “{value}” não é um número. Digite um número como 0.5 ou -1.",
    },
    "error.cell_not_finite": {
        "en": "“{word}”, column {col}: infinity and NaN are not allowed; type a finite number.",
        "pt": "“{word}”, coluna {col}: infinito e NaN não são permitidos; digite um número finito.",
    },
    "error.cell_too_big": {
        "en": "“{word}”, column {col}: values are limited to ±{max}.",
        "pt": "“{word}”, coluna {col}: os valores vão no máximo até ±{max}.",
    },
    "error.cells_empty": {
        "en": "“{word}”: {cols} empty. Type a number in each, or fill them with the button below.",
        "pt": "“{word}”: {cols} vazias. Digite um número em cada uma, ou preencha-as com o botão abaixo.",
    },
    "table.row_waiting": {
        "en": "Row {row}, “{word}”: {n} of {d} values are still empty, so the word is not used yet. Type them, or fill them with the button below.",
        "pt": "Linha {row}, “{word}”: {n} de {d} valores ainda estão vazios, então a palavra ainda não é usada. Digite-os, ou preencha-os com o botão abaixo.",
    },
    "table.blank_rows": {
        "en": "Rows with no word and no values are not used ({n}). Type a word in one to add it.",
        "pt": "Linhas sem palavra e sem valores não são usadas ({n}). Digite uma palavra numa delas para adicioná-la.",
    },
    "table.word_compat": {
        "en": "Row {row}: characters in a compatibility form (such as full-width letters) were replaced by their plain form (Unicode NFKC): {pairs}.",
        "pt": "Linha {row}: caracteres em forma de compatibilidade (como letras de largura total) foram trocados pela forma simples (Unicode NFKC): {pairs}.",
    },
    "table.word_cleaned": {
        "en": "Row {row}: invisible characters were removed from the word, which is used as “{word}”: {chars}.",
        "pt": "Linha {row}: caracteres invisíveis foram removidos da palavra, que é usada como “{word}”: {chars}.",
    },
    "error.table_kept": {
        "en": "The charts still use the last valid table. Fix what is named above, or restore the last valid table.",
        "pt": "Os gráficos ainda usam a última tabela válida. Corrija o que foi indicado acima, ou restaure a última tabela válida.",
    },
    "error.unexpected": {
        "en": "Something went wrong while computing this page ({kind}). Your settings are kept; try another value.",
        "pt": "Algo deu errado ao calcular esta página ({kind}). Seus ajustes foram mantidos; tente outro valor.",
    },
    # --- the block's settings (sidebar) ---
    "block.settings": {"en": "The encoder block", "pt": "O bloco codificador"},
    "block.tutorial_off": {
        "en": "The article's code has no positional encoding, mask, scaling, temperature or Add & Norm: these apply in paper mode.",
        "pt": "O código do artigo não tem codificação posicional, máscara, escala, temperatura nem Add & Norm: estes valem no modo artigo científico.",
    },
    "block.pe": {"en": "Positional encoding", "pt": "Codificação posicional"},
    "block.pe_help": {
        "en": "The paper adds waves of sines and cosines of each position to the embeddings, so that word order changes the numbers; without it, attention sees a bag of words.",
        "pt": "O artigo científico soma ondas de senos e cossenos de cada posição aos embeddings, para que a ordem das palavras mude os números; sem isso, a atenção vê um saco de palavras.",
    },
    "pe.sin": {"en": "Sinusoidal (the paper)", "pt": "Senoidal (o artigo científico)"},
    "pe.none": {"en": "None", "pt": "Nenhuma"},
    "block.mask": {"en": "Mask", "pt": "Máscara"},
    "block.mask_help": {
        "en": "Causal: each token attends to itself and the tokens before it, as in a decoder that writes one word at a time.",
        "pt": "Causal: cada token atende a si mesmo e aos tokens anteriores, como num decodificador que escreve uma palavra por vez.",
    },
    "mask.none": {"en": "None (every token sees all)", "pt": "Nenhuma (todos veem todos)"},
    "mask.causal": {"en": "Causal (earlier tokens only)", "pt": "Causal (só os anteriores)"},
    "block.scale": {"en": "Score scaling", "pt": "Escala das pontuações"},
    "block.scale_help": {
        "en": "The paper divides q·k by √d_k, so that the scores keep a spread near 1 however wide the heads are. The article does not scale.",
        "pt": "O artigo científico divide q·k por √d_k, para que as pontuações mantenham um espalhamento perto de 1 qualquer que seja a largura das cabeças. O artigo não usa escala.",
    },
    "scale.sqrt": {"en": "1/√d_k (the paper)", "pt": "1/√d_k (o artigo científico)"},
    "scale.none": {"en": "None (1, as the article)", "pt": "Nenhuma (1, como o artigo)"},
    "block.temp": {"en": "Softmax temperature τ", "pt": "Temperatura do softmax τ"},
    "block.temp_help": {
        "en": "The scores are divided by τ before the softmax: below 1 sharpens the weights towards one key, above 1 flattens them. Allowed: {lo} to {hi}.",
        "pt": "As pontuações são divididas por τ antes do softmax: abaixo de 1 concentra os pesos numa chave, acima de 1 os achata. Permitido: de {lo} a {hi}.",
    },
    "block.norm": {"en": "Add & Norm", "pt": "Add & Norm"},
    "block.norm_help": {
        "en": "Post-norm (the paper): each sublayer's output is added to its input, then layer-normalised. Pre-norm (GPT-2) normalises first and adds after. None: no residual and no layer norm.",
        "pt": "Pós-norma (o artigo científico): a saída de cada subcamada é somada à sua entrada e depois normalizada. Pré-norma (GPT-2) normaliza antes e soma depois. Nenhuma: sem residual e sem normalização.",
    },
    "norm.post": {"en": "Post-norm (the paper)", "pt": "Pós-norma (o artigo científico)"},
    "norm.pre": {"en": "Pre-norm (GPT-2)", "pt": "Pré-norma (GPT-2)"},
    "norm.none": {"en": "None", "pt": "Nenhuma"},
    "sa.head_help": {
        "en": "The head shown and explained. Allowed: {lo} to the number of heads.",
        "pt": "A cabeça mostrada e explicada. Permitido: de {lo} até o número de cabeças.",
    },
    "sa.mask_note": {
        "en": "The causal mask sets the scores of later tokens to −∞ (grey): after the softmax their weight is exactly 0, and each row's remaining weights still sum to 1.",
        "pt": "A máscara causal põe em −∞ (cinza) as pontuações dos tokens posteriores: depois do softmax o peso deles é exatamente 0, e os pesos que restam em cada linha ainda somam 1.",
    },
    "sa.cell": {"en": "Cell to explain", "pt": "Célula a explicar"},
    "sa.cell_help": {
        "en": "Click a cell of the scores or weights map, or pick its query and key below.",
        "pt": "Clique numa célula do mapa de pontuações ou de pesos, ou escolha sua consulta e sua chave abaixo.",
    },
    # --- why √d_k ---
    "sqrt.title": {
        "en": "Why divide by √d_k? And what does the temperature do?",
        "pt": "Por que dividir por √d_k? E o que a temperatura faz?",
    },
    "sqrt.body": {
        "en": "A score q·k adds up d_k products. With random vectors of unit spread, its spread grows like √d_k: at d_k = 512 the scores differ by tens, and the softmax gives almost all the weight to one key (a one-hot), whose gradient is near zero, so the head stops learning. Dividing by √d_k keeps the spread near 1 for any width. Measured below on seeded random vectors (16 keys a row); this head has d_k = {dk} (the dashed line).",
        "pt": "Uma pontuação q·k soma d_k produtos. Com vetores aleatórios de espalhamento unitário, seu espalhamento cresce como √d_k: em d_k = 512 as pontuações diferem em dezenas, e o softmax dá quase todo o peso a uma chave (um one-hot), cujo gradiente é quase zero, e a cabeça para de aprender. Dividir por √d_k mantém o espalhamento perto de 1 para qualquer largura. Medido abaixo em vetores aleatórios com semente (16 chaves por linha); esta cabeça tem d_k = {dk} (a linha tracejada).",
    },
    "sqrt.chart": {"en": "Scores and softmax as d_k grows", "pt": "Pontuações e softmax conforme d_k cresce"},
    "sqrt.spread": {"en": "Spread of q·k (std)", "pt": "Espalhamento de q·k (desvio)"},
    "sqrt.top": {"en": "Largest weight of a row", "pt": "Maior peso de uma linha"},
    "sqrt.series": {"en": "Scores", "pt": "Pontuações"},
    "sqrt.unscaled": {"en": "q·k unscaled", "pt": "q·k sem escala"},
    "sqrt.scaled": {"en": "q·k / √d_k", "pt": "q·k / √d_k"},
    "sqrt.temp_body": {
        "en": "The temperature τ divides the scores once more: below 1 the weights of {token}'s row gather on its best key, above 1 they spread towards uniform. The current τ = {temp} is the bold line.",
        "pt": "A temperatura τ divide as pontuações mais uma vez: abaixo de 1 os pesos da linha de {token} se juntam na melhor chave, acima de 1 se espalham rumo ao uniforme. O τ atual = {temp} é a linha grossa.",
    },
    "sqrt.temp_chart": {"en": "Weights of {token}'s row at several τ", "pt": "Pesos da linha de {token} em vários τ"},
    "an.before": {"en": "Before the norm", "pt": "Antes da normalização"},
    "an.after": {"en": "After the norm", "pt": "Depois da normalização"},
    "an.mean": {"en": "Row mean", "pt": "Média da linha"},
    "an.spread": {"en": "Row spread (std)", "pt": "Espalhamento da linha (desvio)"},
    # --- explaining one cell ---
    "ex.title": {"en": "Explain one cell, with its numbers", "pt": "Explicar uma célula, com seus números"},
    "ex.pick_query": {"en": "Query (row)", "pt": "Consulta (linha)"},
    "ex.pick_key": {"en": "Key (column)", "pt": "Chave (coluna)"},
    "ex.none": {
        "en": "Click a cell of the scores or weights map above, or pick a query and a key here, to see how its number comes about.",
        "pt": "Clique numa célula do mapa de pontuações ou de pesos acima, ou escolha uma consulta e uma chave aqui, para ver de onde vem seu número.",
    },
    "ex.clear": {"en": "Close the explanation", "pt": "Fechar a explicação"},
    "ex.cell": {
        "en": "**Query {q} looks at key {k}** (head {head}). Step 1: the dot product of q and k, element by element:",
        "pt": "**A consulta {q} olha para a chave {k}** (cabeça {head}). Passo 1: o produto escalar de q e k, elemento a elemento:",
    },
    "ex.scale": {
        "en": "Step 2: scale it by 1/√d_k: {dot} × {scale} = **{scaled}**, the cell of the scaled scores map.",
        "pt": "Passo 2: escale por 1/√d_k: {dot} × {scale} = **{scaled}**, a célula do mapa de pontuações escaladas.",
    },
    "ex.scale_temp": {
        "en": "Step 2: scale it, with the temperature τ = {temp} folded in: {dot} × {scale} = **{scaled}**, the cell of the scaled scores map.",
        "pt": "Passo 2: escale, com a temperatura τ = {temp} incluída: {dot} × {scale} = **{scaled}**, a célula do mapa de pontuações escaladas.",
    },
    "ex.no_scale": {
        "en": "Step 2: the article does not scale: the score is **{dot}**, the cell of E·Eᵀ.",
        "pt": "Passo 2: o artigo não usa escala: a pontuação é **{dot}**, a célula de E·Eᵀ.",
    },
    "ex.masked": {
        "en": "The causal mask hides key {k} from query {q} (it comes later): its score becomes −∞ and its weight exactly 0.",
        "pt": "A máscara causal esconde a chave {k} da consulta {q} (ela vem depois): sua pontuação vira −∞ e seu peso, exatamente 0.",
    },
    "ex.fully_masked": {
        "en": "Every key of this row is masked: its weights are all 0 and its output is a row of zeros.",
        "pt": "Todas as chaves desta linha estão mascaradas: seus pesos são todos 0 e sua saída é uma linha de zeros.",
    },
    "ex.softmax_row": {
        "en": "Step 3: the softmax runs over the whole row of {q}, its scores for all {n} keys. Subtract the row's largest score, m = {shift} (the same result, without overflow), take exp of each, and add them up:",
        "pt": "Passo 3: o softmax percorre a linha inteira de {q}, suas pontuações para as {n} chaves. Subtraia a maior pontuação da linha, m = {shift} (o mesmo resultado, sem estouro), tome o exp de cada uma e some:",
    },
    "ex.softmax_col": {
        "en": "Step 3: the article's softmax runs over axis 0, the column of key {k}: the scores of all {n} queries for that key. Subtract the column's largest score, m = {shift}, take exp of each, and add them up (in the paper it would be the row of {q}):",
        "pt": "Passo 3: o softmax do artigo percorre o eixo 0, a coluna da chave {k}: as pontuações das {n} consultas para essa chave. Subtraia a maior pontuação da coluna, m = {shift}, tome o exp de cada uma e some (no artigo científico seria a linha de {q}):",
    },
    "ex.score": {"en": "score s", "pt": "pontuação s"},
    "ex.weight": {"en": "weight", "pt": "peso"},
    "ex.shown": {
        "en": "The explained cell and the largest weights: {shown} of {n}.",
        "pt": "A célula explicada e os maiores pesos: {shown} de {n}.",
    },
    "ex.weight_is": {
        "en": "Step 4: the weight is exp({s} − {shift}) / {total} = **{w}**, the cell of the weights map.",
        "pt": "Passo 4: o peso é exp({s} − {shift}) / {total} = **{w}**, a célula do mapa de pesos.",
    },
    "ex.output": {
        "en": "Step 5: the output of {q} is the sum of every value row weighted by its row of weights (they sum to {total}): o = Σ_j w_j · v_j.",
        "pt": "Passo 5: a saída de {q} é a soma de cada linha de valores ponderada por sua linha de pesos (que somam {total}): o = Σ_j w_j · v_j.",
    },
    "ex.output_tutorial": {
        "en": "Step 5: the output of {q} is still Σ_j w_j · e_j over its row, but the article normalised columns, so this row's weights sum to {total}, not 1.",
        "pt": "Passo 5: a saída de {q} ainda é Σ_j w_j · e_j sobre sua linha, mas o artigo normalizou colunas, então os pesos desta linha somam {total}, não 1.",
    },
    "ex.cut": {
        "en": "Shown: {shown} of {n} keys (the largest weights) and {cols} of {d} columns.",
        "pt": "Mostradas: {shown} de {n} chaves (os maiores pesos) e {cols} de {d} colunas.",
    },
    # --- chart labels ---
    "axis.query": {"en": "Query token (row)", "pt": "Token de consulta (linha)"},
    "axis.key": {"en": "Key token (column)", "pt": "Token chave (coluna)"},
    "axis.token": {"en": "Token", "pt": "Token"},
    "axis.head": {"en": "Head", "pt": "Cabeça"},
    "axis.similarity": {"en": "Similarity", "pt": "Similaridade"},
    "axis.position": {"en": "Position (token)", "pt": "Posição (token)"},
    "axis.dimension": {"en": "Dimension", "pt": "Dimensão"},
    "axis.hidden_unit": {"en": "Hidden unit", "pt": "Unidade oculta"},
    "axis.value": {"en": "Value", "pt": "Valor"},
    "axis.weight": {"en": "Weight", "pt": "Peso"},
    "axis.score": {"en": "Score", "pt": "Pontuação"},
    "axis.row": {"en": "Row (head · token)", "pt": "Linha (cabeça · token)"},
    "chart.masked": {"en": "masked", "pt": "mascarado"},
    "chart.image_note": {
        "en": "{rows}×{cols} cells drawn as an image; pick a token window below to read exact values.",
        "pt": "{rows}×{cols} células desenhadas como imagem; escolha uma janela de tokens abaixo para ler os valores exatos.",
    },
    "window.label": {"en": "Token window (positions)", "pt": "Janela de tokens (posições)"},
    "window.help": {
        "en": "Long sentences are drawn as images. Narrow the window to at most {n} tokens to hover over exact values.",
        "pt": "Frases longas são desenhadas como imagens. Estreite a janela para no máximo {n} tokens e passe o mouse para ver os valores exatos.",
    },
    # --- the tutorial's differences ---
    "tutorial.badge": {
        "en": "Tutorial mode differs from the paper here",
        "pt": "Aqui o modo tutorial difere do artigo científico",
    },
    # --- home ---
    "home.title": {"en": "Attention Explorer", "pt": "Explorador de Atenção"},
    "home.tagline": {
        "en": "See every matrix of a transformer's attention block, computed on a few words you choose.",
        "pt": "Veja cada matriz do bloco de atenção de um transformer, calculada sobre algumas palavras que você escolhe.",
    },
    "home.what": {
        "en": "Each word of a sentence becomes a vector (its embedding). Attention lets every word look at every other word and mix in what it finds, weighted by how well they match. Several heads do this side by side with their own projections; their results are joined, projected again, and passed through a small feed-forward network. Every step below is a matrix you can see and change.",
        "pt": "Cada palavra de uma frase vira um vetor (seu embedding). A atenção deixa cada palavra olhar para todas as outras e misturar o que encontra, com peso maior para as que combinam melhor. Várias cabeças fazem isso lado a lado, cada uma com suas projeções; os resultados são juntados, projetados de novo e passam por uma pequena rede feed-forward. Cada passo abaixo é uma matriz que você pode ver e mudar.",
    },
    "home.flow": {
        "en": "The data flow, and the screen that shows each step",
        "pt": "O fluxo dos dados, e a tela que mostra cada passo",
    },
    "home.read": {"en": "How to read the charts", "pt": "Como ler os gráficos"},
    "home.read_body": {
        "en": "Rows are tokens of the sentence in order, top to bottom; in attention maps the columns are the tokens being looked at. Hover over a cell for its exact value. Attention weights share one colour scale from 0 to 1; signed values use blue for negative and orange for positive, centred on 0.",
        "pt": "As linhas são os tokens da frase em ordem, de cima para baixo; nos mapas de atenção as colunas são os tokens observados. Passe o mouse sobre uma célula para ver o valor exato. Os pesos de atenção usam uma só escala de cor de 0 a 1; valores com sinal usam azul para negativo e laranja para positivo, centrados em 0.",
    },
    "home.start": {"en": "Where to start", "pt": "Por onde começar"},
    "home.start_body": {
        "en": "Open **Vocabulary** to see the article's four words, type a sentence and see where each token stands (positional encoding), then **Self-attention** for one head step by step (click any cell to see how its number comes about), **Multi-head** to add heads, **Add & Norm** for the residual and the layer norm, and **Feed-forward** for the last layer and the block's output. Switch the mode in the sidebar to compare the paper's math with the article's code.",
        "pt": "Abra **Vocabulário** para ver as quatro palavras do artigo, digitar uma frase e ver onde cada token está (codificação posicional), depois **Autoatenção** para uma cabeça passo a passo (clique em qualquer célula para ver de onde vem seu número), **Multi-cabeça** para adicionar cabeças, **Add & Norm** para o residual e a normalização de camada, e **Feed-forward** para a última camada e a saída do bloco. Troque o modo na barra lateral para comparar a matemática do artigo científico com o código do artigo.",
    },
    "home.modes": {
        "en": "**Paper** mode (default) follows Vaswani et al., *Attention Is All You Need* (2017). **Tutorial** mode runs the numpy code of the Portuguese article this app grew from, exactly as printed; each screen says where the two differ.",
        "pt": "O modo **Artigo científico** (padrão) segue Vaswani et al., *Attention Is All You Need* (2017). O modo **Tutorial** roda o código numpy do artigo em português que deu origem a este app, exatamente como publicado; cada tela diz onde os dois diferem.",
    },
    "flow.embeddings": {"en": "Embeddings E", "pt": "Embeddings E"},
    "flow.positions": {"en": "+ positional encoding", "pt": "+ codificação posicional"},
    "flow.add_norm": {"en": "Add & Norm", "pt": "Add & Norm"},
    "flow.qkv": {"en": "Q, K, V per head", "pt": "Q, K, V por cabeça"},
    "flow.softmax": {"en": "softmax(QKᵀ/√d_k)", "pt": "softmax(QKᵀ/√d_k)"},
    "flow.heads": {"en": "Head outputs", "pt": "Saídas das cabeças"},
    "flow.concat": {"en": "Concatenation", "pt": "Concatenação"},
    "flow.w_o": {"en": "× W_O", "pt": "× W_O"},
    "flow.ffn": {"en": "Feed-forward", "pt": "Feed-forward"},
    "flow.output": {"en": "Output", "pt": "Saída"},
    # --- vocabulary page ---
    "vocab.title": {"en": "Vocabulary and embeddings", "pt": "Vocabulário e embeddings"},
    "vocab.intro": {
        "en": "Every word has a vector. Edit any value, rename, add or delete words; the other screens follow.",
        "pt": "Cada palavra tem um vetor. Edite qualquer valor, renomeie, adicione ou apague palavras; as outras telas acompanham.",
    },
    "vocab.preset": {"en": "Start from", "pt": "Começar de"},
    "preset.seed": {"en": "The article's table (the, cat, sat, on)", "pt": "A tabela do artigo (the, cat, sat, on)"},
    "preset.random": {
        "en": "Seeded random vectors for every word",
        "pt": "Vetores aleatórios com semente para cada palavra",
    },
    "vocab.preset_help": {
        "en": "Choosing a preset replaces the table. With random vectors, any sentence works: every new word gets a vector.",
        "pt": "Escolher um ponto de partida substitui a tabela. Com vetores aleatórios, qualquer frase funciona: cada palavra nova ganha um vetor.",
    },
    "vocab.dim": {"en": "Embedding width d_model", "pt": "Largura do embedding d_model"},
    "vocab.dim_help": {
        "en": "Allowed: {lo} to {hi}. Narrowing an edited table hides its right-hand columns (widen it again to bring them back); widening adds zeros. Random vectors are redrawn.",
        "pt": "Permitido: de {lo} a {hi}. Estreitar uma tabela editada oculta as colunas da direita (alargue de novo para trazê-las de volta); alargar acrescenta zeros. Vetores aleatórios são sorteados de novo.",
    },
    "vocab.sentence": {"en": "Sentence to analyse", "pt": "Frase a analisar"},
    "vocab.sentence_help": {
        "en": "Words separated by spaces; words may repeat. At most {max} words.",
        "pt": "Palavras separadas por espaços; podem se repetir. No máximo {max} palavras.",
    },
    "vocab.tokens": {"en": "{n} tokens: {tokens}", "pt": "{n} tokens: {tokens}"},
    "vocab.add_words": {"en": "Give the new words random vectors", "pt": "Dar vetores aleatórios às palavras novas"},
    "vocab.discard_sentence": {"en": "Go back to the last valid sentence", "pt": "Voltar à última frase válida"},
    "vocab.table": {"en": "The vocabulary", "pt": "O vocabulário"},
    "vocab.table_help": {
        "en": "Click a cell to edit it. To add a word, click the empty last row (or + above the table) and type; to delete words, tick their rows and press Delete. Up to {max} words.",
        "pt": "Clique numa célula para editá-la. Para adicionar uma palavra, clique na última linha vazia (ou no + acima da tabela) e digite; para apagar palavras, marque suas linhas e aperte Delete. Até {max} palavras.",
    },
    "vocab.fill_empty": {"en": "Fill the empty cells", "pt": "Preencher as células vazias"},
    "vocab.fill_empty_help": {
        "en": "A word already in the vocabulary gets its own values back; a new word gets seeded random values.",
        "pt": "Uma palavra que já está no vocabulário recebe de volta seus próprios valores; uma palavra nova recebe valores aleatórios com semente.",
    },
    "vocab.restore_table": {"en": "Restore the last valid table", "pt": "Restaurar a última tabela válida"},
    "vocab.width_cut": {
        "en": "The width went from {old} to {new}: the values of {cols} are hidden, not deleted. Set the width back to {old} to bring them back (in this session).",
        "pt": "A largura passou de {old} para {new}: os valores de {cols} estão ocultos, não apagados. Volte a largura para {old} para trazê-los de volta (nesta sessão).",
    },
    "vocab.width_restored": {
        "en": "The width went from {old} to {new}: the hidden values of {cols} are back.",
        "pt": "A largura passou de {old} para {new}: os valores ocultos de {cols} voltaram.",
    },
    "vocab.sentence_chars": {
        "en": "The sentence was {n} characters long; only its first {max} characters were read.",
        "pt": "A frase tinha {n} caracteres; só os primeiros {max} caracteres foram lidos.",
    },
    "vocab.sentence_compat": {
        "en": "Characters in a compatibility form (such as full-width letters) were replaced by their plain form (Unicode NFKC), so lookalike words are one word: {pairs}.",
        "pt": "Caracteres em forma de compatibilidade (como letras de largura total) foram trocados pela forma simples (Unicode NFKC), para que palavras iguais à vista sejam uma palavra só: {pairs}.",
    },
    "vocab.sentence_cleaned": {
        "en": "Invisible characters were removed from the sentence: {chars}.",
        "pt": "Caracteres invisíveis foram removidos da frase: {chars}.",
    },
    "vocab.tokens_one": {"en": "1 token: {tokens}", "pt": "1 token: {tokens}"},
    "vocab.custom_note": {
        "en": "You edited the table. A copied link carries it too, with the sentence and the settings; a table too big for a link goes into a scenario file (the sidebar says which).",
        "pt": "Você editou a tabela. Um link copiado também a leva, com a frase e os ajustes; uma tabela grande demais para um link vai num arquivo de cenário (a barra lateral diz qual).",
    },
    "vocab.embeddings": {"en": "Embeddings of the sentence, E ({t} × {d})", "pt": "Embeddings da frase, E ({t} × {d})"},
    "vocab.pe_title": {
        "en": "Positional encoding: where each token stands",
        "pt": "Codificação posicional: onde cada token está",
    },
    "vocab.pe_body": {
        "en": "Attention by itself ignores word order: shuffle the sentence and every token gets the same mix. The paper adds to each embedding a vector that depends only on the position p: PE[p, 2i] = sin(p / 10000^(2i/d_model)), PE[p, 2i+1] = cos(the same). Low columns change quickly with p, high ones slowly. The block's input is X = E + PE.",
        "pt": "A atenção sozinha ignora a ordem das palavras: embaralhe a frase e cada token recebe a mesma mistura. O artigo científico soma a cada embedding um vetor que só depende da posição p: PE[p, 2i] = sin(p / 10000^(2i/d_model)), PE[p, 2i+1] = cos(o mesmo). As primeiras colunas mudam rápido com p, as últimas devagar. A entrada do bloco é X = E + PE.",
    },
    "vocab.pe_repeat": {
        "en": "Type a sentence that repeats a word, such as “the cat sat on the cat”: the two copies of a word have the same row in E but different rows in X.",
        "pt": "Digite uma frase que repita uma palavra, como “the cat sat on the cat”: as duas cópias de uma palavra têm a mesma linha em E, mas linhas diferentes em X.",
    },
    "vocab.pe_off": {
        "en": "Positional encoding is off (pe = none): the block's input is E itself, and word order does not change any number.",
        "pt": "A codificação posicional está desligada (pe = none): a entrada do bloco é o próprio E, e a ordem das palavras não muda nenhum número.",
    },
    "vocab.word_col": {"en": "word", "pt": "palavra"},
    # --- self-attention page ---
    "sa.title": {"en": "Self-attention, one head step by step", "pt": "Autoatenção, uma cabeça passo a passo"},
    "sa.intro": {
        "en": "Each token asks a question (its query), offers a label (its key) and carries content (its value). The match between a query and every key decides how much of each value the token takes.",
        "pt": "Cada token faz uma pergunta (sua consulta, query), oferece um rótulo (sua chave, key) e carrega um conteúdo (seu valor, value). A afinidade entre uma consulta e cada chave decide quanto de cada valor o token recebe.",
    },
    "sa.head": {"en": "Head to show", "pt": "Cabeça a mostrar"},
    "sa.step_qkv": {
        "en": "1. Projections: Q = X·W_Q, K = X·W_K, V = X·W_V (head {h}, d_k = {dk})",
        "pt": "1. Projeções: Q = X·W_Q, K = X·W_K, V = X·W_V (cabeça {h}, d_k = {dk})",
    },
    "sa.step_scores": {"en": "2. Scores Q·Kᵀ", "pt": "2. Pontuações Q·Kᵀ"},
    "sa.step_scaled": {
        "en": "3. Scaled scores {formula} = Q·Kᵀ × {scale}",
        "pt": "3. Pontuações escaladas {formula} = Q·Kᵀ × {scale}",
    },
    "sa.step_weights": {
        "en": "4. Attention weights: softmax along each row (each query's weights sum to 1)",
        "pt": "4. Pesos de atenção: softmax ao longo de cada linha (os pesos de cada consulta somam 1)",
    },
    "sa.step_output": {"en": "5. Output = weights · V", "pt": "5. Saída = pesos · V"},
    "sa.t_step_scores": {
        "en": "1. Scores E·Eᵀ (the embeddings themselves, no projections)",
        "pt": "1. Pontuações E·Eᵀ (os próprios embeddings, sem projeções)",
    },
    "sa.t_step_weights": {
        "en": "2. Attention weights: softmax over axis 0 (each column sums to 1)",
        "pt": "2. Pesos de atenção: softmax no eixo 0 (cada coluna soma 1)",
    },
    "sa.t_step_output": {"en": "3. Output = weights · E", "pt": "3. Saída = pesos · E"},
    "sa.tutorial_note": {
        "en": "The article computes scores as E·Eᵀ with no W_Q, W_K, W_V and no division by √d_k, and applies softmax with axis=0, so each column sums to 1 instead of each query's row. In the paper every token's weights form a distribution over the tokens it reads; here every token's weights are spread over the tokens reading it, so a row of the output is not an average of values. With one-hot vectors, a word scores highest with itself.",
        "pt": "O artigo calcula as pontuações como E·Eᵀ, sem W_Q, W_K, W_V e sem dividir por √d_k, e aplica a softmax com axis=0, então cada coluna soma 1 em vez de cada linha. No artigo científico, os pesos de cada token formam uma distribuição sobre os tokens que ele lê; aqui os pesos se distribuem sobre os tokens que leem cada token, e uma linha da saída não é uma média de valores. Com vetores one-hot, cada palavra pontua mais consigo mesma.",
    },
    "sa.q": {"en": "Q (queries)", "pt": "Q (consultas)"},
    "sa.k": {"en": "K (keys)", "pt": "K (chaves)"},
    "sa.v": {"en": "V (values)", "pt": "V (valores)"},
    # --- multi-head page ---
    "mh.title": {"en": "Multi-head attention", "pt": "Atenção multi-cabeça"},
    "mh.intro": {
        "en": "Several heads attend in parallel, each with its own W_Q, W_K, W_V, so each can look for a different relation. Their outputs are concatenated side by side and mixed by W_O.",
        "pt": "Várias cabeças fazem atenção em paralelo, cada uma com seus W_Q, W_K, W_V, e assim cada uma pode procurar uma relação diferente. As saídas são concatenadas lado a lado e misturadas por W_O.",
    },
    "mh.heads": {"en": "Number of heads h", "pt": "Número de cabeças h"},
    "mh.analyse": {"en": "Show what each head does", "pt": "Mostrar o que cada cabeça faz"},
    "mh.analyse_help": {
        "en": "The head view, each head's role and likeness to the others, and heads switched off. On by default with trained weights, whose heads have roles.",
        "pt": "A visão das cabeças, o papel de cada cabeça e sua semelhança com as outras, e cabeças desligadas. Ligado por padrão com pesos treinados, cujas cabeças têm papéis.",
    },
    "mh.head_view": {"en": "Head view: every weight as a line", "pt": "Visão das cabeças: cada peso como uma linha"},
    "mh.head_view_help": {
        "en": "Queries on the left, keys on the right; a line's thickness and opacity follow its weight, one colour per head. Point at a word on the left to see only its lines; click a head in the legend to show it alone.",
        "pt": "Consultas à esquerda, chaves à direita; a espessura e a opacidade de uma linha seguem seu peso, uma cor por cabeça. Aponte uma palavra à esquerda para ver só as linhas dela; clique numa cabeça na legenda para mostrá-la sozinha.",
    },
    "mh.off": {"en": "Switch heads off", "pt": "Desligar cabeças"},
    "mh.off_accuracy": {
        "en": "Held-out accuracy on “{task}”: heads {heads} off: {full}% → {off}%.",
        "pt": "Acurácia em frases novas em “{task}”: cabeças {heads} desligadas: {full}% → {off}%.",
    },
    "mh.off_help": {
        "en": "A head switched off has its output zeroed before W_O: see what the others carry alone. Heads {lo} to {hi}.",
        "pt": "Uma cabeça desligada tem sua saída zerada antes de W_O: veja o que as outras levam sozinhas. Cabeças de {lo} a {hi}.",
    },
    "mh.roles": {"en": "What each head does", "pt": "O que cada cabeça faz"},
    "mh.roles_body": {
        "en": "For each head, the average weight its queries put on the previous token, the next token, themselves and the first token, and how spread its rows are (entropy ÷ log T: 1 is uniform, 0 looks at one key). Next to it, how alike the heads' maps are (cosine similarity).",
        "pt": "Para cada cabeça, o peso médio que suas consultas põem no token anterior, no próximo, em si mesmas e no primeiro token, e quão espalhadas são suas linhas (entropia ÷ log T: 1 é uniforme, 0 olha para uma chave). Ao lado, quão parecidos são os mapas das cabeças (similaridade de cosseno).",
    },
    "mh.roles_random": {
        "en": "These weights are random: no head has a role, and the numbers differ only by chance. Trained heads specialise: one looks back, another ahead.",
        "pt": "Estes pesos são aleatórios: nenhuma cabeça tem um papel, e os números só diferem por acaso. Cabeças treinadas se especializam: uma olha para trás, outra para a frente.",
    },
    "mh.roles_tutorial": {
        "en": "The article's heads are identical copies of one head, so every head has the same numbers: there is only one pattern.",
        "pt": "As cabeças do artigo são cópias idênticas de uma cabeça, então todas têm os mesmos números: há um só padrão.",
    },
    "mh.role_previous": {"en": "previous", "pt": "anterior"},
    "mh.role_next": {"en": "next", "pt": "próximo"},
    "mh.role_self": {"en": "itself", "pt": "si mesmo"},
    "mh.role_first": {"en": "first", "pt": "primeiro"},
    "mh.role_spread": {"en": "spread", "pt": "espalhamento"},
    "mh.role_axis": {"en": "Looks at", "pt": "Olha para"},
    "mh.similarity": {"en": "Similarity of the heads' maps", "pt": "Similaridade dos mapas das cabeças"},
    "mh.off_title": {"en": "Output with heads {heads} off", "pt": "Saída com as cabeças {heads} desligadas"},
    "mh.off_change": {
        "en": "Switching off heads {heads} changes the output by {change} on average per value (the output itself averages {size}).",
        "pt": "Desligar as cabeças {heads} muda a saída em {change} em média por valor (a própria saída tem média {size}).",
    },
    "mh.off_diff": {
        "en": "What changed: output with heads off − full output",
        "pt": "O que mudou: saída com cabeças desligadas − saída completa",
    },
    "mh.heads_help": {
        "en": "Allowed: {lo} to {hi}. Each head gets d_k = d_v = max(1, d_model // h) columns.",
        "pt": "Permitido: de {lo} a {hi}. Cada cabeça recebe d_k = d_v = max(1, d_model // h) colunas.",
    },
    "mh.dims": {
        "en": "d_model = {d}, h = {h}, d_k = d_v = {dk}: the concatenation is {t} × {hdv}, and W_O maps it back to {t} × {d}.",
        "pt": "d_model = {d}, h = {h}, d_k = d_v = {dk}: a concatenação é {t} × {hdv}, e W_O a leva de volta a {t} × {d}.",
    },
    "mh.weights": {
        "en": "Attention weights per head (one colour scale, 0 to 1)",
        "pt": "Pesos de atenção por cabeça (uma escala de cor, de 0 a 1)",
    },
    "mh.head_n": {"en": "Head {n}", "pt": "Cabeça {n}"},
    "mh.outputs": {"en": "Per-head outputs (weights · V)", "pt": "Saídas por cabeça (pesos · V)"},
    "mh.concat": {
        "en": "Concatenation of the heads ({t} × {hdv}); lines mark head boundaries",
        "pt": "Concatenação das cabeças ({t} × {hdv}); as linhas marcam os limites das cabeças",
    },
    "mh.output": {"en": "Output = concatenation · W_O ({t} × {d})", "pt": "Saída = concatenação · W_O ({t} × {d})"},
    "mh.t_weights": {
        "en": "The one head's weights (every copy is identical)",
        "pt": "Os pesos da única cabeça (todas as cópias são idênticas)",
    },
    "mh.t_stacked": {
        "en": "np.concatenate of {h} copies: stacked on rows, {ht} × {d}",
        "pt": "np.concatenate de {h} cópias: empilhadas nas linhas, {ht} × {d}",
    },
    "mh.tutorial_note": {
        "en": "The article calls the same self-attention {h} times on the same embeddings, so every head is an identical copy, and np.concatenate joins them along axis 0: the copies are stacked as extra rows ({ht} × {d}) instead of side by side as features, and there is no W_O. In the paper, each head has its own projections, so heads differ, and the concatenation keeps one row per token.",
        "pt": "O artigo chama a mesma autoatenção {h} vezes sobre os mesmos embeddings, então cada cabeça é uma cópia idêntica, e np.concatenate as junta no eixo 0: as cópias viram linhas extras ({ht} × {d}) em vez de ficarem lado a lado como atributos, e não há W_O. No artigo científico, cada cabeça tem suas projeções, as cabeças diferem, e a concatenação mantém uma linha por token.",
    },
    # --- add & norm page ---
    "an.title": {
        "en": "Add & Norm: the residual and the layer norm",
        "pt": "Add & Norm: o residual e a normalização de camada",
    },
    "an.intro": {
        "en": "Each sublayer's output is added to its input (the residual connection: the block learns a change to x, not a new x), and every row is normalised to mean 0 and spread 1, then scaled by γ and shifted by β (here 1 and 0, as before training).",
        "pt": "A saída de cada subcamada é somada à sua entrada (a conexão residual: o bloco aprende uma mudança em x, não um novo x), e cada linha é normalizada para média 0 e espalhamento 1, depois multiplicada por γ e deslocada por β (aqui 1 e 0, como antes do treino).",
    },
    "an.tutorial_note": {
        "en": "The article's code has no residual connection and no layer norm: its attention output goes straight to the feed-forward layer. Switch to paper mode to see the paper's Add & Norm.",
        "pt": "O código do artigo não tem conexão residual nem normalização de camada: a saída da atenção vai direto para a camada feed-forward. Mude para o modo artigo científico para ver o Add & Norm do artigo.",
    },
    "an.none": {
        "en": "Add & Norm is off (norm = none): the attention output goes straight to the feed-forward layer. Choose post-norm or pre-norm in the sidebar.",
        "pt": "O Add & Norm está desligado (norm = none): a saída da atenção vai direto para a camada feed-forward. Escolha pós-norma ou pré-norma na barra lateral.",
    },
    "an.straight": {
        "en": "What goes on to the feed-forward layer: the attention output ({t} × {d})",
        "pt": "O que segue para a camada feed-forward: a saída da atenção ({t} × {d})",
    },
    "an.post_formula": {
        "en": "Post-norm, as in the paper: h = LayerNorm(x + MultiHead(x)).",
        "pt": "Pós-norma, como no artigo científico: h = LayerNorm(x + MultiHead(x)).",
    },
    "an.pre_formula": {
        "en": "Pre-norm, as in GPT-2: the norm comes first, and the residual adds the attention's output to the untouched x: h = x + MultiHead(LayerNorm(x)).",
        "pt": "Pré-norma, como no GPT-2: a normalização vem primeiro, e o residual soma a saída da atenção ao x intacto: h = x + MultiHead(LayerNorm(x)).",
    },
    "an.residual1": {
        "en": "Add: the input plus the attention output ({t} × {d})",
        "pt": "Add: a entrada mais a saída da atenção ({t} × {d})",
    },
    "an.norm1": {"en": "Norm: each row to mean 0, spread 1", "pt": "Norm: cada linha com média 0 e espalhamento 1"},
    "an.pre_norm1": {
        "en": "Norm first: each row of x to mean 0, spread 1",
        "pt": "Normalização primeiro: cada linha de x com média 0 e espalhamento 1",
    },
    "an.stats_line": {
        "en": "Before: row means {m0} … {m1}, spreads {s0} … {s1}. After: means {n0} … {n1}, spreads {t0} … {t1}.",
        "pt": "Antes: médias das linhas {m0} … {m1}, espalhamentos {s0} … {s1}. Depois: médias {n0} … {n1}, espalhamentos {t0} … {t1}.",
    },
    "an.next": {
        "en": "The feed-forward screen ends with the second Add & Norm, around the feed-forward layer, and the block's output.",
        "pt": "A tela feed-forward termina com o segundo Add & Norm, em volta da camada feed-forward, e a saída do bloco.",
    },
    # --- training ---
    "train.title": {"en": "Heads that learn", "pt": "Cabeças que aprendem"},
    "train.intro": {
        "en": "Random weights give every head a pattern that means nothing. Here the block learns a task on sentences made of your own words, in NumPy, in a few seconds: watch the loss fall, then look at what each head learned to look at.",
        "pt": "Pesos aleatórios dão a cada cabeça um padrão que não significa nada. Aqui o bloco aprende uma tarefa em frases feitas das suas próprias palavras, em NumPy, em poucos segundos: veja a perda cair e depois o que cada cabeça aprendeu a olhar.",
    },
    "train.tutorial_note": {
        "en": "The article's heads are identical copies with no weights to learn: training is for paper mode. Switch the mode in the sidebar.",
        "pt": "As cabeças do artigo são cópias idênticas sem pesos a aprender: o treino é para o modo artigo científico. Troque o modo na barra lateral.",
    },
    "train.weights": {"en": "Weights", "pt": "Pesos"},
    "train.weights_help": {
        "en": "Random: seeded, as before training. Trained: the block the Train screen trains for the task, head count and seed of this link (it trains on first use, in a second or two).",
        "pt": "Aleatórios: com semente, como antes do treino. Treinados: o bloco que a tela Treinar treina para a tarefa, o número de cabeças e a semente deste link (treina no primeiro uso, em um ou dois segundos).",
    },
    "weights.random": {"en": "Random (untrained)", "pt": "Aleatórios (sem treino)"},
    "weights.trained": {"en": "Trained on the task", "pt": "Treinados na tarefa"},
    "train.show_everywhere": {
        "en": "Show these heads on every page",
        "pt": "Mostrar estas cabeças em todas as páginas",
    },
    "mh.roles_trained": {
        "en": "These heads were trained on “{task}”: look for a head whose weight sits on the previous token and another on the next.",
        "pt": "Estas cabeças foram treinadas em “{task}”: procure uma cabeça cujo peso fica no token anterior e outra no seguinte.",
    },
    "train.task": {"en": "Task", "pt": "Tarefa"},
    "train.task_help": {
        "en": "What each position must predict from the block's output, through a linear readout to the vocabulary.",
        "pt": "O que cada posição deve prever a partir da saída do bloco, por uma leitura linear para o vocabulário.",
    },
    "task.previous": {"en": "previous: the word before", "pt": "previous: a palavra anterior"},
    "task.next": {"en": "next: the word after", "pt": "next: a palavra seguinte"},
    "task.first": {"en": "first: the sentence's first word", "pt": "first: a primeira palavra da frase"},
    "task.neighbours": {"en": "neighbours: the words before and after", "pt": "neighbours: as palavras antes e depois"},
    "train.about_previous": {
        "en": "Each position must name the word before it. One head is enough: look for a map whose weight sits just left of the diagonal.",
        "pt": "Cada posição deve dizer a palavra anterior. Uma cabeça basta: procure um mapa cujo peso fica logo à esquerda da diagonal.",
    },
    "train.about_next": {
        "en": "Each position must name the word after it: a head learns to look one step to the right of the diagonal.",
        "pt": "Cada posição deve dizer a palavra seguinte: uma cabeça aprende a olhar um passo à direita da diagonal.",
    },
    "train.about_first": {
        "en": "Every position must name the sentence's first word: a head learns to put its weight on the first column.",
        "pt": "Toda posição deve dizer a primeira palavra da frase: uma cabeça aprende a pôr seu peso na primeira coluna.",
    },
    "train.about_neighbours": {
        "en": "Each position must name both the word before and the word after. One head's output is a single weighted mix of value vectors, and a linear readout cannot pull two words back out of one mix: with one head the accuracy stays low. With two heads, one learns to look left and the other right. Train with 1 head, then 2, and compare; then let the feed-forward layer train too, which can untangle the mix.",
        "pt": "Cada posição deve dizer a palavra anterior e a seguinte. A saída de uma cabeça é uma única mistura ponderada de vetores de valor, e uma leitura linear não consegue tirar duas palavras de uma mistura: com uma cabeça a acurácia fica baixa. Com duas cabeças, uma aprende a olhar à esquerda e a outra à direita. Treine com 1 cabeça, depois 2, e compare; depois deixe a camada feed-forward treinar também, que pode desembaraçar a mistura.",
    },
    "train.steps": {"en": "Training steps", "pt": "Passos de treino"},
    "train.steps_help": {
        "en": "Adam steps on batches of 64 fresh sentences. Allowed: {lo} to {hi}; empty for the default.",
        "pt": "Passos de Adam em lotes de 64 frases novas. Permitido: de {lo} a {hi}; vazio para o padrão.",
    },
    "train.steps_auto": {"en": "default", "pt": "padrão"},
    "train.ffn": {"en": "What trains", "pt": "O que treina"},
    "train.ffn_help": {
        "en": "The attention sublayer alone (positional encoding, heads, Add & Norm, readout), or the whole block with its feed-forward layer.",
        "pt": "A subcamada de atenção sozinha (codificação posicional, cabeças, Add & Norm, leitura), ou o bloco inteiro com sua camada feed-forward.",
    },
    "train_ffn.0": {"en": "Attention only", "pt": "Só a atenção"},
    "train_ffn.1": {"en": "The whole block", "pt": "O bloco inteiro"},
    "train.too_few": {
        "en": "The vocabulary has {n} words; a task needs at least 3. Add words, or use the set-up below.",
        "pt": "O vocabulário tem {n} palavras; uma tarefa precisa de ao menos 3. Adicione palavras, ou use a configuração abaixo.",
    },
    "train.too_narrow": {
        "en": "The vectors have width {d}; training needs at least 2. Widen them on Vocabulary, or use the set-up below.",
        "pt": "Os vetores têm largura {d}; o treino precisa de ao menos 2. Alargue-os em Vocabulário, ou use a configuração abaixo.",
    },
    "train.narrow": {
        "en": "{n} words of width {d} with {h} heads leave each head d_k = 1 column: little room to learn. Training works, but 10 random words of width 16 train much better.",
        "pt": "{n} palavras de largura {d} com {h} cabeças deixam a cada cabeça d_k = 1 coluna: pouco espaço para aprender. O treino funciona, mas 10 palavras aleatórias de largura 16 treinam bem melhor.",
    },
    "train.setup": {
        "en": "Set up 10 random words of width 16",
        "pt": "Configurar 10 palavras aleatórias de largura 16",
    },
    "train.go": {"en": "Train", "pt": "Treinar"},
    "train.stop": {"en": "Stop training", "pt": "Parar o treino"},
    "train.for_page": {
        "en": "The Weights setting asks for trained weights: the block trains once for the whole server, then this page draws it.",
        "pt": "O ajuste Pesos pede pesos treinados: o bloco treina uma vez para todo o servidor, e então esta página o desenha.",
    },
    "train.queued": {
        "en": "Waiting for {n} other training(s) to finish: the server trains one at a time, so the room's pages stay quick.",
        "pt": "Esperando {n} outro(s) treino(s) terminar(em): o servidor treina um de cada vez, para as páginas da sala seguirem rápidas.",
    },
    "train.failed": {
        "en": "The training stopped without a result: {reason}",
        "pt": "O treino parou sem resultado: {reason}",
    },
    "train.stopped": {
        "en": "The training for these settings was stopped.",
        "pt": "O treino para estes ajustes foi parado.",
    },
    "train.too_big": {
        "en": "This training is too big for a shared server: it would take {cost} billion multiply-adds, and the limit is {max} billion. With these words, width and heads, at most {max_steps} steps fit (this link asks {steps}); fewer words, a narrower width or training the attention alone also help.",
        "pt": "Este treino é grande demais para um servidor compartilhado: custaria {cost} bilhões de multiplicações-somas, e o limite é {max} bilhões. Com estas palavras, largura e cabeças, cabem no máximo {max_steps} passos (este link pede {steps}); menos palavras, uma largura menor ou treinar só a atenção também ajudam.",
    },
    "train.weights_random": {
        "en": "The Weights setting asks for trained weights, which these settings cannot give now: this page shows random (untrained) weights instead.",
        "pt": "O ajuste Pesos pede pesos treinados, que estes ajustes não podem dar agora: esta página mostra pesos aleatórios (sem treino) no lugar.",
    },
    "train.again": {"en": "Train again", "pt": "Treinar de novo"},
    "train.progress": {"en": "Training: step {step} of {total}", "pt": "Treinando: passo {step} de {total}"},
    "train.idle": {
        "en": "Press Train. Training is deterministic: the same link trains the same heads.",
        "pt": "Aperte Treinar. O treino é determinístico: o mesmo link treina as mesmas cabeças.",
    },
    "train.accuracy": {"en": "Held-out accuracy", "pt": "Acurácia em frases novas"},
    "train.loss": {"en": "Training loss (cross-entropy)", "pt": "Perda de treino (entropia cruzada)"},
    "train.step": {"en": "Step", "pt": "Passo"},
    "train.loss_axis": {"en": "Loss", "pt": "Perda"},
    "train.maps": {"en": "What the trained heads look at", "pt": "Para onde olham as cabeças treinadas"},
    "train.maps_help": {
        "en": "A sentence the block never saw: {sentence}. Rows are queries, columns keys.",
        "pt": "Uma frase que o bloco nunca viu: {sentence}. Linhas são consultas, colunas são chaves.",
    },
    "train.ablation": {"en": "Switch one head off", "pt": "Desligar uma cabeça"},
    "train.head_off": {
        "en": "Head {n} off: {full}% → {off}%",
        "pt": "Cabeça {n} desligada: {full}% → {off}%",
    },
    # --- feed-forward page ---
    "ff.title": {"en": "Position-wise feed-forward", "pt": "Feed-forward por posição"},
    "ff.intro": {
        "en": "The same two-layer network runs on every row: FFN(x) = max(0, x·W1 + b1)·W2 + b2. It widens each vector to d_ff, keeps the positive part (ReLU) and narrows it back.",
        "pt": "A mesma rede de duas camadas roda em cada linha: FFN(x) = max(0, x·W1 + b1)·W2 + b2. Ela alarga cada vetor para d_ff, mantém a parte positiva (ReLU) e o estreita de volta.",
    },
    "ff.width": {"en": "Feed-forward width d_ff", "pt": "Largura do feed-forward d_ff"},
    "ff.width_help": {
        "en": "Allowed: {lo} to {hi}. Leave empty for the default: 4·d_model in paper mode, 2·d_model in tutorial mode.",
        "pt": "Permitido: de {lo} a {hi}. Deixe vazio para o padrão: 4·d_model no modo artigo científico, 2·d_model no modo tutorial.",
    },
    "ff.auto": {"en": "default: {n}", "pt": "padrão: {n}"},
    "ff.input": {"en": "Input: the attention output ({t} × {d})", "pt": "Entrada: a saída da atenção ({t} × {d})"},
    "ff.input_post": {
        "en": "Input: h, the first Add & Norm's output ({t} × {d})",
        "pt": "Entrada: h, a saída do primeiro Add & Norm ({t} × {d})",
    },
    "ff.input_pre": {
        "en": "Input: h = x + MultiHead(LayerNorm(x)), normalised first (pre-norm) ({t} × {d})",
        "pt": "Entrada: h = x + MultiHead(LayerNorm(x)), normalizada antes (pré-norma) ({t} × {d})",
    },
    "ff.add_norm2": {
        "en": "The second Add & Norm, and the block's output",
        "pt": "O segundo Add & Norm, e a saída do bloco",
    },
    "ff.post_formula2": {
        "en": "Post-norm: the feed-forward output is added to its input h, and each row normalised: out = LayerNorm(h + FFN(h)).",
        "pt": "Pós-norma: a saída do feed-forward é somada à sua entrada h, e cada linha normalizada: out = LayerNorm(h + FFN(h)).",
    },
    "ff.pre_formula2": {
        "en": "Pre-norm: the feed-forward output is added to h itself, with no norm after: out = h + FFN(LayerNorm(h)).",
        "pt": "Pré-norma: a saída do feed-forward é somada ao próprio h, sem normalização depois: out = h + FFN(LayerNorm(h)).",
    },
    "ff.block_output": {
        "en": "The last matrix is the encoder block's output ({t} × {d}): one vector per token, the input of the next block.",
        "pt": "A última matriz é a saída do bloco codificador ({t} × {d}): um vetor por token, a entrada do próximo bloco.",
    },
    "ff.pre": {
        "en": "Hidden layer before ReLU: x·W1 + b1 ({t} × {f})",
        "pt": "Camada oculta antes da ReLU: x·W1 + b1 ({t} × {f})",
    },
    "ff.hidden": {
        "en": "Hidden layer after ReLU: max(0, ·) ({t} × {f})",
        "pt": "Camada oculta depois da ReLU: max(0, ·) ({t} × {f})",
    },
    "ff.output": {
        "en": "Final outputs: hidden · W2 + b2 ({t} × {d})",
        "pt": "Saídas finais: oculta · W2 + b2 ({t} × {d})",
    },
    "ff.relu_share": {
        "en": "ReLU set {pct}% of the hidden values to zero.",
        "pt": "A ReLU zerou {pct}% dos valores ocultos.",
    },
    "ff.tutorial_note": {
        "en": "The article draws W1, b1, W2, b2 with np.random.rand: uniform in [0, 1), all positive, with d_ff = 2·d by default. With positive weights and inputs, ReLU rarely has anything to cut, and the outputs grow with d_ff. The paper's layers are trained; initialised like torch.nn.Linear here, uniform in ±1/√fan_in, so about half the hidden values are cut. The article feeds the layer its {ht} stacked rows: {h} identical copies of the head's {t} rows, which give {h} identical results. The charts show one copy; the article's output is these {t} rows repeated {h} times.",
        "pt": "O artigo sorteia W1, b1, W2, b2 com np.random.rand: uniformes em [0, 1), todos positivos, com d_ff = 2·d por padrão. Com pesos e entradas positivos, a ReLU quase nunca corta algo, e as saídas crescem com d_ff. No artigo científico as camadas são treinadas; aqui são iniciadas como torch.nn.Linear, uniformes em ±1/√fan_in, e cerca de metade dos valores ocultos é cortada. O artigo passa à camada suas {ht} linhas empilhadas: {h} cópias idênticas das {t} linhas da cabeça, que dão {h} resultados idênticos. Os gráficos mostram uma cópia; a saída do artigo são estas {t} linhas repetidas {h} vezes.",
    },
    # --- links that carry the table, and scenario files ---
    "share.link_rejected": {
        "en": "The table in the link (vocab=) was not used, so nothing changed. Its entries are counted from 1, as the table's rows are:",
        "pt": "A tabela do link (vocab=) não foi usada, então nada mudou. Suas entradas são contadas a partir de 1, como as linhas da tabela:",
    },
    "share.link_too_long": {
        "en": "The link's table has {n} characters; a table of more than {max} characters is not read.",
        "pt": "A tabela do link tem {n} caracteres; uma tabela de mais de {max} caracteres não é lida.",
    },
    "share.link_empty": {
        "en": "The link's vocab= is empty. Write its entries as vocab=the:1,0;cat:0,1.",
        "pt": "O vocab= do link está vazio. Escreva suas entradas como vocab=the:1,0;cat:0,1.",
    },
    "share.link_entry_malformed": {
        "en": "Entry {entry}, “{text}”, has no “:” between the word and its values (write word:1,0,0).",
        "pt": "A entrada {entry}, “{text}”, não tem “:” entre a palavra e seus valores (escreva palavra:1,0,0).",
    },
    "share.link_no_values": {
        "en": "Entry {entry}, “{word}”, has no values after the “:”.",
        "pt": "A entrada {entry}, “{word}”, não tem valores depois do “:”.",
    },
    "share.link_value_empty": {
        "en": "Entry {entry}, “{word}”: value {col} is empty (two commas in a row, or one at the end).",
        "pt": "Entrada {entry}, “{word}”: o valor {col} está vazio (duas vírgulas seguidas, ou uma no fim).",
    },
    "share.value_count": {
        "en": "Entry {entry}, “{word}”, has {n} values, the others {d}. Every word needs as many values as the first.",
        "pt": "A entrada {entry}, “{word}”, tem {n} valores, as outras {d}. Toda palavra precisa de tantos valores quanto a primeira.",
    },
    "share.vocab_too_wide": {
        "en": "The vectors have {n} values each; the app shows at most {max}.",
        "pt": "Os vetores têm {n} valores cada; o app mostra no máximo {max}.",
    },
    "share.file_rejected": {
        "en": "The scenario file was not loaded, so nothing changed:",
        "pt": "O arquivo de cenário não foi carregado, então nada mudou:",
    },
    "share.file_too_big": {
        "en": "The file has {size} bytes; a scenario file may have at most {max} bytes.",
        "pt": "O arquivo tem {size} bytes; um arquivo de cenário pode ter no máximo {max} bytes.",
    },
    "share.file_not_text": {
        "en": "The file is not UTF-8 text, so it cannot be a scenario file.",
        "pt": "O arquivo não é texto em UTF-8, então não pode ser um arquivo de cenário.",
    },
    "share.file_not_json": {
        "en": "The file is not valid JSON: the first problem is on line {line}.",
        "pt": "O arquivo não é um JSON válido: o primeiro problema está na linha {line}.",
    },
    "share.file_unreadable": {
        "en": "The file's JSON is nested too deeply, or holds a number too long to read.",
        "pt": "O JSON do arquivo tem aninhamento profundo demais, ou um número longo demais para ler.",
    },
    "share.file_not_scenario": {
        "en": 'The file is JSON, but not an Attention Explorer scenario: it needs "app": "attention-explorer".',
        "pt": 'O arquivo é JSON, mas não é um cenário do Explorador de Atenção: ele precisa de "app": "attention-explorer".',
    },
    "share.file_version_missing": {
        "en": 'The file does not say which version of the scenario format it uses ("version": {supported}).',
        "pt": 'O arquivo não diz qual versão do formato de cenário usa ("version": {supported}).',
    },
    "share.file_version_unknown": {
        "en": "The file's format version {version} is not one this app reads; it reads version {supported}.",
        "pt": "A versão de formato {version} do arquivo não é lida por este app; ele lê a versão {supported}.",
    },
    "share.file_version_newer": {
        "en": "The file was made by a newer version of the app (format version {version}); this app reads version {supported}.",
        "pt": "O arquivo foi feito por uma versão mais nova do app (versão de formato {version}); este app lê a versão {supported}.",
    },
    "share.file_settings_shape": {
        "en": 'The file\'s "settings" must be an object of setting names and values, such as "heads": "2".',
        "pt": 'Os "settings" do arquivo devem ser um objeto com nomes e valores de ajustes, como "heads": "2".',
    },
    "share.file_setting_not_finite": {
        "en": "The file's setting {name} is {value}, not a finite number, so it was ignored.",
        "pt": "O ajuste {name} do arquivo é {value}, não um número finito, e foi ignorado.",
    },
    "share.file_setting_type": {
        "en": "The file's setting {name} is neither text nor a number, so it was ignored.",
        "pt": "O ajuste {name} do arquivo não é texto nem número e foi ignorado.",
    },
    "share.file_vocab_shape": {
        "en": 'The file\'s "vocabulary" must hold "words", a list of words, and "vectors", one list of numbers per word; or be null for the preset\'s table.',
        "pt": 'O "vocabulary" do arquivo deve conter "words", uma lista de palavras, e "vectors", uma lista de números por palavra; ou ser null para a tabela predefinida.',
    },
    "share.file_unknown_words": {
        "en": "The file's sentence has words its table lacks: {words}.",
        "pt": "A frase do arquivo tem palavras que faltam na sua tabela: {words}.",
    },
    "share.file_settings_adjusted": {
        "en": "The scenario was loaded, but some of its settings were changed, by the same rules as a link's:",
        "pt": "O cenário foi carregado, mas alguns de seus ajustes foram alterados, pelas mesmas regras de um link:",
    },
    "share.toggle": {"en": "Save charts, numbers or this session", "pt": "Salvar gráficos, números ou esta sessão"},
    "share.toggle_help": {
        "en": "Shows how to save this session as a file or open one, and, at the bottom of this sidebar, every chart of the page as PNG or SVG and its matrices as CSV.",
        "pt": "Mostra como salvar esta sessão num arquivo ou abrir um, e, no fim desta barra lateral, cada gráfico da página em PNG ou SVG e suas matrizes em CSV.",
    },
    "share.title": {
        "en": "Save or open a session",
        "pt": "Salvar ou abrir uma sessão",
    },
    "share.link_table": {
        "en": "The address bar holds these settings and your edited table: copy it to share this exact view.",
        "pt": "A barra de endereço guarda estes ajustes e a sua tabela editada: copie-a para compartilhar exatamente esta visão.",
    },
    "share.link_table_too_long": {
        "en": "Your table is too big for a link: it would take {n} characters, and a link holds at most {max}. The address bar keeps the settings only; save a scenario file to share the table.",
        "pt": "Sua tabela é grande demais para um link: precisaria de {n} caracteres, e um link guarda no máximo {max}. A barra de endereço guarda só os ajustes; salve um arquivo de cenário para compartilhar a tabela.",
    },
    "share.save": {
        "en": "Save as a scenario file",
        "pt": "Salvar como arquivo de cenário",
    },
    "share.save_help": {
        "en": "A JSON file with every setting, your table, the explained cell and the choice of trained weights. Open it here to get this exact session back, on any computer.",
        "pt": "Um arquivo JSON com todos os ajustes, a sua tabela, a célula explicada e a escolha de pesos treinados. Abra-o aqui para recuperar exatamente esta sessão, em qualquer computador.",
    },
    "share.open": {
        "en": "Open a scenario file",
        "pt": "Abrir um arquivo de cenário",
    },
    "share.open_help": {
        "en": "A file saved by this app (JSON, at most {mb} MB). It replaces the settings and the table; your language stays. A file with a problem changes nothing.",
        "pt": "Um arquivo salvo por este app (JSON, no máximo {mb} MB). Ele substitui os ajustes e a tabela; o seu idioma fica. Um arquivo com problema não muda nada.",
    },
    "share.file_loaded": {
        "en": "Opened {name}: its settings and table are now yours.",
        "pt": "{name} aberto: os ajustes e a tabela dele agora são seus.",
    },
    # --- downloads ---
    "dl.title": {"en": "Save charts and numbers", "pt": "Salvar gráficos e números"},
    "dl.pick": {"en": "Chart", "pt": "Gráfico"},
    "dl.pick_help": {
        "en": "This page's charts, numbered in the order they appear. CSV: the matrix's exact numbers with its row and column labels. PNG and SVG: the picture.",
        "pt": "Os gráficos desta página, numerados na ordem em que aparecem. CSV: os números exatos da matriz com os rótulos das linhas e colunas. PNG e SVG: a imagem.",
    },
    "dl.csv": {"en": "CSV", "pt": "CSV"},
    "dl.csv_help": {
        "en": "The matrix's numbers, exact (float64), with its row and column labels; a repeated token is named with its position, as “the (#5)”. Opens in Excel, LibreOffice and pandas.",
        "pt": "Os números da matriz, exatos (float64), com os rótulos das linhas e colunas; um token repetido leva sua posição, como “the (#5)”. Separado por ponto e vírgula, com vírgula decimal: o Excel em português abre com dois cliques. No pandas: pd.read_csv(f, sep=';', decimal=',', index_col=0).",
    },
    "dl.no_csv": {
        "en": "This chart is not a matrix: save it as PNG or SVG.",
        "pt": "Este gráfico não é uma matriz: salve-o como PNG ou SVG.",
    },
    "dl.png": {"en": "PNG", "pt": "PNG"},
    "dl.png_help": {
        "en": "The picture at twice the screen's resolution, for slides.",
        "pt": "A imagem com o dobro da resolução da tela, para slides.",
    },
    "dl.svg": {"en": "SVG", "pt": "SVG"},
    "dl.svg_help": {
        "en": "The picture as vector graphics: sharp at any size, editable in Inkscape or Illustrator.",
        "pt": "A imagem em gráficos vetoriais: nítida em qualquer tamanho, editável no Inkscape ou no Illustrator.",
    },
    "dl.zip": {"en": "All matrices (zip)", "pt": "Todas as matrizes (zip)"},
    "dl.zip_help": {
        "en": "The {n} matrices of this page, one CSV each, numbered as in the list above.",
        "pt": "As {n} matrizes desta página, um CSV para cada (ponto e vírgula, vírgula decimal), numerados como na lista acima.",
    },
    "dl.untitled": {"en": "Chart", "pt": "Gráfico"},
    # --- downloads: limits (issue 16) ---
    "dl.too_big_csv": {
        "en": "Matrices of up to {limit} cells can be saved as CSV; this one has {n}. Pick a token window or fewer tokens.",
        "pt": "Matrizes de até {limit} células podem ser salvas como CSV; esta tem {n}. Escolha uma janela de tokens ou menos tokens.",
    },
    "dl.too_big_zip": {
        "en": "A zip can hold up to {limit} cells in all; this page's matrices have {n}. Save single matrices as CSV, or use fewer tokens.",
        "pt": "Um zip pode ter até {limit} células ao todo; as matrizes desta página têm {n}. Salve matrizes avulsas como CSV ou use menos tokens.",
    },
    "dl.too_big_png": {
        "en": "Charts of up to {limit} marks (cells, lines or points) can be saved as PNG; this one has {n}. Pick a token window, fewer tokens or fewer heads.",
        "pt": "Gráficos de até {limit} marcas (células, linhas ou pontos) podem ser salvos como PNG; este tem {n}. Escolha uma janela de tokens, menos tokens ou menos cabeças.",
    },
    "dl.too_big_svg": {
        "en": "Charts of up to {limit} marks (cells, lines or points) can be saved as SVG; this one has {n}. Pick a token window, fewer tokens or fewer heads.",
        "pt": "Gráficos de até {limit} marcas (células, linhas ou pontos) podem ser salvos como SVG; este tem {n}. Escolha uma janela de tokens, menos tokens ou menos cabeças.",
    },
    "chart.head_view_cut": {
        "en": "{shown} of {total} lines drawn: the {k} strongest of each word in each head.",
        "pt": "{shown} de {total} linhas desenhadas: as {k} mais fortes de cada palavra em cada cabeça.",
    },
    # --- the lesson ---
    "nav.lesson": {
        "en": "Lesson",
        "pt": "Aula",
    },
    "home.lesson": {
        "en": "New to attention, or running a workshop? The lesson walks through it in ten steps, from the article's four words to trained heads, and asks you to predict each answer before it shows it. A host can put any step on a projector.",
        "pt": "Novo em atenção, ou conduzindo uma oficina? A aula percorre tudo em dez passos, das quatro palavras do artigo até cabeças treinadas, e pede que você preveja cada resposta antes de mostrá-la. Quem conduz pode projetar qualquer passo.",
    },
    "sidebar.own_view": {
        "en": "Each step of the lesson draws its own words, vectors and settings. Your settings for the other screens are kept as they are: the lesson does not change them, and they come back when you open another screen.",
        "pt": "Cada passo da aula desenha suas próprias palavras, vetores e configurações. Suas configurações das outras telas ficam como estão: a aula não as muda, e elas voltam quando você abre outra tela.",
    },
    "lesson.title": {
        "en": "The lesson: predict, then look",
        "pt": "A aula: preveja, depois confira",
    },
    "lesson.intro": {
        "en": "Ten steps from the article's four words to trained heads. Each step asks a question about a chart before it shows the answer: pick yours, then reveal. Your score stays in this browser tab; nothing is sent anywhere. The link holds the step, so a host can put any step on the screen.",
        "pt": "Dez passos, das quatro palavras do artigo até cabeças treinadas. Cada passo faz uma pergunta sobre um gráfico antes de mostrar a resposta: escolha a sua e depois revele. Sua pontuação fica nesta aba do navegador; nada é enviado. O link guarda o passo, então quem conduz pode projetar qualquer passo.",
    },
    "lesson.progress": {
        "en": "Step {n} of {total}",
        "pt": "Passo {n} de {total}",
    },
    "lesson.back": {
        "en": "Back",
        "pt": "Voltar",
    },
    "lesson.next": {
        "en": "Next",
        "pt": "Próximo",
    },
    "lesson.host": {
        "en": "Host view",
        "pt": "Visão de quem conduz",
    },
    "lesson.host_help": {
        "en": "Large type for a projector: the question, and the answer after a click. The link gets host=1.",
        "pt": "Letra grande para projetar: a pergunta e, após um clique, a resposta. O link ganha host=1.",
    },
    "lesson.score": {
        "en": "**Score:** {right} of {n} right",
        "pt": "**Pontuação:** {right} de {n} certas",
    },
    "lesson.show_answer": {
        "en": "Show the answer",
        "pt": "Mostrar a resposta",
    },
    "lesson.reveal": {
        "en": "Reveal",
        "pt": "Revelar",
    },
    "lesson.reveal_help": {
        "en": "Pick an answer first: predicting before you look is the point.",
        "pt": "Escolha uma resposta antes: prever antes de ver é o objetivo.",
    },
    "lesson.answer_is": {
        "en": "The answer: {answer}",
        "pt": "A resposta: {answer}",
    },
    "lesson.right": {
        "en": "Right: {answer}",
        "pt": "Certo: {answer}",
    },
    "lesson.wrong": {
        "en": "Not this time: you picked {picked}. The answer is {answer}",
        "pt": "Desta vez não: você escolheu {picked}. A resposta é {answer}",
    },
    "lesson.hide_answer": {"en": "Hide the answer", "pt": "Esconder a resposta"},
    "lesson.open": {
        "en": "Open this in the explorer",
        "pt": "Abrir isto no explorador",
    },
    "lesson.open_help": {
        "en": "Makes this step's settings and words your own and opens its screen, where you can change anything.",
        "pt": "Torna seus os ajustes e as palavras deste passo e abre a tela dele, onde você pode mudar tudo.",
    },
    "lesson.reset": {
        "en": "Start the score again",
        "pt": "Zerar a pontuação",
    },
    "lesson.step_bad": {
        "en": "The link's step={value} is not a step number (allowed: 1 to {n}), so the lesson starts at step 1.",
        "pt": "O step={value} do link não é um número de passo (permitido: de 1 a {n}), então a aula começa no passo 1.",
    },
    "lesson.step_outside": {
        "en": "The lesson has steps 1 to {n}; step={value} does not exist, so step {used} is shown.",
        "pt": "A aula tem os passos de 1 a {n}; step={value} não existe, então o passo {used} é mostrado.",
    },
    "lesson.word": {
        "en": "{word}",
        "pt": "{word}",
    },
    "lesson.number": {
        "en": "{x}",
        "pt": "{x}",
    },
    "lesson.head": {
        "en": "Head {n}",
        "pt": "Cabeça {n}",
    },
    "lesson.off_neither": {
        "en": "Neither: each can go without a loss",
        "pt": "Nenhuma: qualquer uma sai sem perda",
    },
    "lesson.all_heads": {
        "en": "Every head on",
        "pt": "Todas as cabeças",
    },
    "lesson.head_off": {
        "en": "Head {n} off",
        "pt": "Cabeça {n} desligada",
    },
    "lesson.axis_article": {
        "en": "The article: softmax(E·Eᵀ, axis=0)",
        "pt": "O artigo: softmax(E·Eᵀ, axis=0)",
    },
    "lesson.axis_paper": {
        "en": "The paper: softmax over each row",
        "pt": "O artigo científico: softmax em cada linha",
    },
    "lesson.sqrt_flat": {
        "en": "It flattens: every key gets about the same weight",
        "pt": "Ela se achata: cada chave recebe quase o mesmo peso",
    },
    "lesson.sqrt_peak": {
        "en": "It peaks: nearly all the weight goes to one key",
        "pt": "Ela se concentra: quase todo o peso vai para uma chave",
    },
    "lesson.sqrt_same": {
        "en": "Nothing changes",
        "pt": "Nada muda",
    },
    "lesson.axis_rows": {
        "en": "Each row: what one query spends",
        "pt": "Cada linha: o que uma consulta distribui",
    },
    "lesson.axis_cols": {
        "en": "Each column: what one key receives",
        "pt": "Cada coluna: o que uma chave recebe",
    },
    "lesson.axis_all": {
        "en": "The whole matrix",
        "pt": "A matriz inteira",
    },
    "lesson.mask_self": {
        "en": "All of its weight on itself",
        "pt": "Todo o seu peso em si mesma",
    },
    "lesson.mask_same": {
        "en": "The same as without the mask",
        "pt": "O mesmo que sem a máscara",
    },
    "lesson.mask_even": {
        "en": "Spread evenly over every word",
        "pt": "Espalhado por igual entre as palavras",
    },
    "lesson.trained_split": {
        "en": "One looks at the previous word, the other at the next",
        "pt": "Uma olha a palavra anterior, a outra a seguinte",
    },
    "lesson.trained_self": {
        "en": "Both look at the word itself",
        "pt": "As duas olham a própria palavra",
    },
    "lesson.trained_first": {
        "en": "Both look at the first word",
        "pt": "As duas olham a primeira palavra",
    },
    "lesson.block_zero": {
        "en": "0",
        "pt": "0",
    },
    "lesson.block_one": {
        "en": "1",
        "pt": "1",
    },
    "lesson.block_any": {
        "en": "It depends on the row",
        "pt": "Depende da linha",
    },
    "lesson.embeddings_title": {
        "en": "1 · Words are vectors",
        "pt": "1 · Palavras são vetores",
    },
    "lesson.embeddings_text": {
        "en": "The article gives each of its four words a vector of three numbers: the rows of E. Everything attention does starts from these rows. Two vectors are alike when their dot product is large: the same numbers in the same places.",
        "pt": "O artigo dá a cada uma das suas quatro palavras um vetor de três números: as linhas de E. Tudo o que a atenção faz parte dessas linhas. Dois vetores se parecem quando o produto escalar deles é grande: os mesmos números nos mesmos lugares.",
    },
    "lesson.embeddings_q": {
        "en": "Which word's vector shares nothing with any other word?",
        "pt": "O vetor de qual palavra não tem nada em comum com nenhuma outra?",
    },
    "lesson.embeddings_why": {
        "en": "{word} has its 1 in a column where no other word has anything, so its dot product with every other word is 0: its row of E·Eᵀ is zero off the diagonal.",
        "pt": "{word} tem seu 1 numa coluna em que nenhuma outra palavra tem nada, então seu produto escalar com qualquer outra é 0: sua linha de E·Eᵀ é zero fora da diagonal.",
    },
    "lesson.score_title": {
        "en": "2 · One score by hand",
        "pt": "2 · Uma pontuação à mão",
    },
    "lesson.score_text": {
        "en": "In the article's code the queries and the keys are the embeddings themselves, so a score is the dot product of two rows of E: multiply the numbers in the same place and add.",
        "pt": "No código do artigo as consultas e as chaves são os próprios embeddings, então uma pontuação é o produto escalar de duas linhas de E: multiplique os números de mesma posição e some.",
    },
    "lesson.score_q": {
        "en": "What is the score of {q} (query) against {k} (key)?",
        "pt": "Qual é a pontuação de {q} (consulta) contra {k} (chave)?",
    },
    "lesson.score_why": {
        "en": "{terms} = {score}. Below, every step of that cell: the two vectors, their product, the softmax of its column and the output.",
        "pt": "{terms} = {score}. Abaixo, cada passo dessa célula: os dois vetores, o produto, a softmax da sua coluna e a saída.",
    },
    "lesson.sqrt_title": {
        "en": "3 · Why divide by √d_k",
        "pt": "3 · Por que dividir por √d_k",
    },
    "lesson.sqrt_text": {
        "en": "A score adds d_k products. With random vectors, the more terms, the larger the scores spread: their standard deviation grows like √d_k. The paper divides every score by √d_k; the article does not.",
        "pt": "Uma pontuação soma d_k produtos. Com vetores aleatórios, quanto mais termos, mais as pontuações se espalham: o desvio padrão cresce como √d_k. O artigo científico divide cada pontuação por √d_k; o artigo não.",
    },
    "lesson.sqrt_q": {
        "en": "Without the division, what happens to a softmax row as d_k grows from {d0} to {d1}?",
        "pt": "Sem a divisão, o que acontece com uma linha da softmax quando d_k cresce de {d0} para {d1}?",
    },
    "lesson.sqrt_why": {
        "en": "Unscaled, the largest weight of a row averages {top0}% at d_k = {d0} and {top1}% at d_k = {d1}: the softmax saturates, nearly one-hot, and its gradients vanish. Divided by √d_k the scores keep a spread of about 1 at every width, and the top weight stays near {scaled1}% at d_k = {d1}.",
        "pt": "Sem escala, o maior peso de uma linha tem média de {top0}% com d_k = {d0} e de {top1}% com d_k = {d1}: a softmax satura, quase one-hot, e seus gradientes somem. Divididas por √d_k, as pontuações mantêm um espalhamento perto de 1 em qualquer largura, e o maior peso fica perto de {scaled1}% com d_k = {d1}.",
    },
    "lesson.row_title": {
        "en": "4 · The softmax row",
        "pt": "4 · A linha da softmax",
    },
    "lesson.row_text": {
        "en": "The paper's attention turns each row of scaled scores into weights that are positive and sum to 1: softmax(x)ᵢ = exp(xᵢ) / Σⱼ exp(xⱼ). Here with one head and the paper's random projections W_Q and W_K.",
        "pt": "A atenção do artigo científico transforma cada linha de pontuações escaladas em pesos positivos que somam 1: softmax(x)ᵢ = exp(xᵢ) / Σⱼ exp(xⱼ). Aqui com uma cabeça e as projeções aleatórias W_Q e W_K do artigo científico.",
    },
    "lesson.row_q": {
        "en": "Read the scores: which word will {word} attend to most?",
        "pt": "Leia as pontuações: a qual palavra {word} vai dar mais atenção?",
    },
    "lesson.row_why": {
        "en": "The exponential keeps the order: the largest score in the row of {word} gets the largest weight. {top} gets {weight}% of its attention.",
        "pt": "A exponencial mantém a ordem: a maior pontuação da linha de {word} recebe o maior peso. {top} recebe {weight}% da sua atenção.",
    },
    "lesson.axis_title": {
        "en": "5 · The article's softmax against the paper's",
        "pt": "5 · A softmax do artigo contra a do artigo científico",
    },
    "lesson.axis_text": {
        "en": "The article's code computes softmax(scores, axis=0). NumPy's axis 0 runs down the columns.",
        "pt": "O código do artigo calcula softmax(scores, axis=0). O eixo 0 do NumPy percorre as colunas.",
    },
    "lesson.axis_q": {
        "en": "In the article's weights, what sums to 1?",
        "pt": "Nos pesos do artigo, o que soma 1?",
    },
    "lesson.axis_why": {
        "en": "With axis=0 each column sums to 1: a key shares itself out among the queries. The paper normalises each row, so each query spends a total weight of 1 on the keys. The article's rows sum to {rows}.",
        "pt": "Com axis=0 cada coluna soma 1: uma chave se divide entre as consultas. O artigo científico normaliza cada linha, então cada consulta distribui um peso total de 1 entre as chaves. As linhas do artigo somam {rows}.",
    },
    "lesson.mask_title": {
        "en": "6 · The causal mask",
        "pt": "6 · A máscara causal",
    },
    "lesson.mask_text": {
        "en": "A decoder must not look ahead: with the causal mask, query i may attend only to keys 1 to i. The masked scores become −∞ before the softmax, so their weights are exactly 0.",
        "pt": "Um decodificador não pode olhar adiante: com a máscara causal, a consulta i só pode atender às chaves de 1 a i. As pontuações mascaradas viram −∞ antes da softmax, e seus pesos ficam exatamente 0.",
    },
    "lesson.mask_q": {
        "en": "With the mask on, what does the first row ({word}) look like?",
        "pt": "Com a máscara ligada, como fica a primeira linha ({word})?",
    },
    "lesson.mask_why": {
        "en": "The first word may only see itself, and a softmax over one score is 1: its row is {row}. Every row still sums to 1; the masked cells are drawn grey.",
        "pt": "A primeira palavra só pode ver a si mesma, e uma softmax de uma única pontuação é 1: sua linha é {row}. Toda linha ainda soma 1; as células mascaradas aparecem em cinza.",
    },
    "lesson.heads_title": {
        "en": "7 · Two heads",
        "pt": "7 · Duas cabeças",
    },
    "lesson.heads_text": {
        "en": "Multi-head attention splits the model's width among the heads: each head has its own W_Q, W_K and W_V, projects to a narrower space, and attends on its own. The outputs are joined again and mixed by W_O.",
        "pt": "A atenção multi-cabeça divide a largura do modelo entre as cabeças: cada cabeça tem seus próprios W_Q, W_K e W_V, projeta para um espaço mais estreito e atende por conta própria. As saídas são unidas de novo e misturadas por W_O.",
    },
    "lesson.heads_q": {
        "en": "With d_model = {d} and {h} heads, how many columns has each head's Q (d_k)?",
        "pt": "Com d_model = {d} e {h} cabeças, quantas colunas tem o Q de cada cabeça (d_k)?",
    },
    "lesson.heads_why": {
        "en": "d_k = d_model / h = {d} / {h} = {dk}. Each head costs a fraction of the work, and together they cost about what one full-width head would.",
        "pt": "d_k = d_model / h = {d} / {h} = {dk}. Cada cabeça custa uma fração do trabalho, e juntas custam quase o mesmo que uma cabeça de largura total.",
    },
    "lesson.trained_title": {
        "en": "8 · Heads that learned",
        "pt": "8 · Cabeças que aprenderam",
    },
    "lesson.trained_text": {
        "en": "Until now every weight was random. Here two heads were trained, in NumPy, on neighbours: at each position, predict the word before and the word after. One head's output is a single mix of value vectors, and a linear readout cannot pull two words back out of one mix.",
        "pt": "Até aqui todo peso era aleatório. Aqui duas cabeças foram treinadas, em NumPy, na tarefa vizinhos: em cada posição, prever a palavra anterior e a seguinte. A saída de uma cabeça é uma única mistura de vetores de valor, e uma leitura linear não consegue separar duas palavras de uma mistura.",
    },
    "lesson.trained_q": {
        "en": "After training, where do the two heads look?",
        "pt": "Depois do treino, para onde olham as duas cabeças?",
    },
    "lesson.trained_why": {
        "en": "They split the job: one head puts {prev}% of its weight on the previous word, one {next}% on the next. Held-out accuracy: {acc}%. Each head specialised, like a CNN's kernels each finding one feature.",
        "pt": "Elas dividem o trabalho: uma cabeça põe {prev}% do seu peso na palavra anterior, outra {next}% na seguinte. Acurácia em frases novas: {acc}%. Cada cabeça se especializou, como os filtros de uma CNN, cada um achando um traço.",
    },
    "lesson.off_title": {
        "en": "9 · Switch a head off",
        "pt": "9 · Desligar uma cabeça",
    },
    "lesson.off_text": {
        "en": "A head's output can be zeroed before W_O, as if it had never been there. The maps below are the trained heads of the last step on a sentence they never saw.",
        "pt": "A saída de uma cabeça pode ser zerada antes de W_O, como se ela nunca tivesse existido. Os mapas abaixo são as cabeças treinadas do passo anterior numa frase que elas nunca viram.",
    },
    "lesson.off_q": {
        "en": "Which head's removal hurts the held-out accuracy most?",
        "pt": "A remoção de qual cabeça mais prejudica a acurácia em frases novas?",
    },
    "lesson.off_why": {
        "en": "With every head: {full}%. Each head off: {lines}. The task needs both sides; without one head, half of the targets are guesses.",
        "pt": "Com todas as cabeças: {full}%. Cada cabeça desligada: {lines}. A tarefa precisa dos dois lados; sem uma cabeça, metade dos alvos vira chute.",
    },
    "lesson.block_title": {
        "en": "10 · The whole block",
        "pt": "10 · O bloco inteiro",
    },
    "lesson.block_text": {
        "en": "The paper's encoder layer adds each sublayer's output to its input (the residual) and normalises every row: LayerNorm(x + MultiHead(x)), then the same around the feed-forward layer. Below, the residual sum x + MultiHead(x).",
        "pt": "A camada do codificador do artigo científico soma a saída de cada subcamada à sua entrada (o resíduo) e normaliza cada linha: LayerNorm(x + MultiHead(x)), e o mesmo em volta do feed-forward. Abaixo, a soma residual x + MultiHead(x).",
    },
    "lesson.block_q": {
        "en": "After Add & Norm (γ = 1, β = 0), what is the mean of each row?",
        "pt": "Depois do Add & Norm (γ = 1, β = 0), qual é a média de cada linha?",
    },
    "lesson.block_why": {
        "en": "Layer norm subtracts each row's mean and divides by its spread: every mean is 0 (at most {m} here, rounding) and every spread about 1 ({s0} to {s1}, the ε of the norm). Whatever the attention did to the scale, the next layer sees rows of the same size.",
        "pt": "A normalização de camada subtrai a média de cada linha e divide pelo espalhamento: toda média é 0 (no máximo {m} aqui, arredondamento) e todo espalhamento perto de 1 (de {s0} a {s1}, o ε da norma). O que quer que a atenção tenha feito com a escala, a próxima camada vê linhas do mesmo tamanho.",
    },
    # --- training: accuracy and comparison ---
    "train.accuracy_curve": {"en": "Accuracy on each training batch", "pt": "Acurácia em cada lote de treino"},
    "train.accuracy_axis": {"en": "Accuracy", "pt": "Acurácia"},
    "train.accuracy_help": {
        "en": "Each step's batch is {n} new sentences, scored before the step learns from them: the accuracy curve follows the held-out accuracy, with a little more noise.",
        "pt": "O lote de cada passo são {n} frases novas, avaliadas antes de o passo aprender com elas: a curva de acurácia acompanha a acurácia em frases novas, com um pouco mais de ruído.",
    },
    "train.compare": {"en": "Attention only vs the whole block", "pt": "Só a atenção contra o bloco inteiro"},
    "train.compare_idle": {
        "en": "Train the other choice of what trains, with the same task, heads, steps and seed, and see the two held-out accuracies side by side.",
        "pt": "Treine a outra opção do que treina, com a mesma tarefa, cabeças, passos e semente, e veja as duas acurácias em frases novas lado a lado.",
    },
    "train.compare_go": {
        "en": "Compare: attention only vs with the feed-forward",
        "pt": "Comparar: só a atenção versus com o feed-forward",
    },
    "train.compare_curve": {
        "en": "Accuracy on each training batch, both trainings",
        "pt": "Acurácia em cada lote de treino, os dois treinos",
    },
    "train.compare_neighbours": {
        "en": "With one head, each position gets a single weighted mix of the value vectors around it. Both readouts are linear: each scores a word by how much of it is in the mix, so both lean to the word with the largest share, and naming the word with the second-largest share is beyond them. One side comes out right, the other is a guess. With the feed-forward layer, the head learns to weigh one neighbour about twice as much as the other, and the ReLU units, each switching on only above its own threshold, tell the strong share from the weak one: the layer untangles the mix, and the readouts name both words. With two heads, each head takes one side and the feed-forward layer has little left to add.",
        "pt": "Com uma cabeça, cada posição recebe uma única mistura ponderada dos vetores de valor ao seu redor. As duas leituras são lineares: cada uma pontua uma palavra pelo quanto dela há na mistura, então ambas pendem para a palavra com a maior parte, e dizer a palavra com a segunda maior parte está fora do seu alcance. Um lado sai certo, o outro é um chute. Com a camada feed-forward, a cabeça aprende a pesar um vizinho cerca de duas vezes mais que o outro, e as unidades ReLU, cada uma ligando só acima do seu próprio limiar, distinguem a parte forte da fraca: a camada desembaraça a mistura, e as leituras dizem as duas palavras. Com duas cabeças, cada cabeça cuida de um lado e sobra pouco para a camada feed-forward acrescentar.",
    },
    "train.compare_other": {
        "en": "On this task one head can look straight at the word to name, so both trainings get there; the feed-forward layer mostly adds weights to train. Try “neighbours” with 1 head to see where it matters.",
        "pt": "Nesta tarefa uma cabeça pode olhar direto para a palavra a dizer, então os dois treinos chegam lá; a camada feed-forward mais acrescenta pesos a treinar. Experimente “neighbours” com 1 cabeça para ver onde ela faz diferença.",
    },
}


@dataclass(frozen=True)
class Translator:
    """``t("key", **args)``: the string for ``lang`` with ``args`` filled in (and escaped)."""

    lang: str

    def __call__(self, key: str, /, *, raw: bool = False, **args) -> str:
        entry = CATALOGUE[key]
        text = entry.get(self.lang) or entry["en"]
        if not args:
            return text
        return text.format(**{k: self._argument(v, raw) for k, v in args.items()})

    def _argument(self, value, raw: bool) -> str:
        if isinstance(value, list | tuple):
            items = [self._argument(v, raw) for v in value[:LIST_ITEMS]]
            more = len(value) - len(items)
            return ", ".join(items) + (self("list.more", n=more) if more else "")
        if raw or not isinstance(value, str):
            return str(value)
        # A line break in a typed value would end the message's paragraph (and "===" under it make a heading).
        return _ISOLATE + escape_markdown(" ".join(value.splitlines())) + _POP_ISOLATE

    def notice(self, notice, raw: bool = False) -> str:
        return self(notice.key, raw=raw, **dict(notice.args))

    def options(self, prefix: str, values: Mapping | tuple) -> dict:
        return {v: self(f"{prefix}.{v}") for v in values}
