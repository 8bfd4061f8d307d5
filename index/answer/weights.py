"""The fitted numbers of the re-ordering, the verdict and the answer line.

Written by ``python eval/train.py`` (fitted on the tune sets only, eval/README.md); the commit
and the pages they were fitted on are recorded below, so a refit can be checked against them.
"""

FITTED_AT = "589d94d"  # the commit whose work tree computed the features
# The pages indexed (every page, as the figures are measured) and the question sets fitted on.
FITTED_ON = (
    'seeds/', 'eval/pages/', '002_5d8e6834057640ed.txt', '003_1fc7cfdec0d61f37.txt',
    '004_7e2948e0bdde2414.txt', '005_9e429bf11a94e81f.txt', '006_09dcc33f4d5fbfc7.txt',
    '007_780e51d64bcdc17c.txt', '008_662d1757ae246365.txt', '009_7c4f08ef9aeba7f4.txt',
    '010_ecb209a59e9b962d.txt', '011_048bb01977157f3b.txt', '012_7800e6941d98814c.txt',
    '013_8e6a9cc33671769d.txt', '014a.txt', '014b.txt', '014c.txt', '015a.txt', '015b.txt',
    '015c.txt', '016a.txt', '016b.md', '016c.md', '016d.txt', 'questions.jsonl',
    'questions-002.jsonl', 'questions-003.jsonl', 'questions-004.jsonl', 'questions-005.jsonl',
    'questions-006.jsonl', 'questions-007.jsonl', 'questions-008.jsonl', 'questions-009.jsonl',
    'questions-010.jsonl', 'questions-011.jsonl',
)
RANK_WEIGHTS = (
    1.019, -2.689, -1.705, 0.81, 1.198, 2.477, 0.252, 2.607, 5.475, -2.468, -0.345, 4.3, 12.537,
)
VERDICT_WEIGHTS = (
    -0.244, 0.436, 0.329, -0.115, -0.175, 1.956, 0.983, 0.451, 0.943, -0.481, 0.033, 2.251,
    0.596, -0.218, 0.0, 0.348, 0.02, -1.933,
)
VERDICT_BIAS = -5.278
# Calibration: confidence = 1 / (1 + exp(-(a * z + b))) of the verdict's logit z.
CALIBRATION = (0.825, 0.045)
CONFIDENT_AT = 0.383  # the confidence from which an answer is confident
SENTENCE_WEIGHTS = (
    0.095, 2.094, 2.529, 2.472, 2.47, -0.03, 1.313, 0.309,
)
