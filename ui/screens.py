"""The screens of the app, in reading order: the router, the menus, the tests and the benchmarks read them here."""

# (script, URL path, catalogue key, icon): the screens, in reading order. The URL paths are
# part of the product (people share links) and match the legacy names of the files.
SCREENS = (
    ("pages/0_home.py", "", "nav.home", ":material/home:"),
    ("pages/1_vocabulary.py", "vocabulary", "nav.vocabulary", ":material/abc:"),
    ("pages/2_self-attention.py", "self-attention", "nav.self_attention", ":material/center_focus_strong:"),
    ("pages/3_multi-head.py", "multi-head", "nav.multi_head", ":material/view_column:"),
    ("pages/4_add-norm.py", "add-norm", "nav.add_norm", ":material/add_circle:"),
    ("pages/5_feed-forward.py", "feed-forward", "nav.feed_forward", ":material/arrow_forward:"),
    ("pages/8_decoder.py", "decoder", "nav.decoder", ":material/swap_horiz:"),
    ("pages/6_train.py", "train", "nav.train", ":material/model_training:"),
    ("pages/9_translate.py", "translate", "nav.translate", ":material/translate:"),
    ("pages/7_lesson.py", "lesson", "nav.lesson", ":material/school:"),
)
