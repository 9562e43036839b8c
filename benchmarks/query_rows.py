"""What CKD's rows ask of a DETR student: ``dense_rows.py`` for ``QueryDistiller`` configs, with
the query row choices of docs/detr.md (the matched queries, + the teacher's top-k, every query,
every query weighted by the teacher's confidence as KD-DETR weighs its rows).

    W=work_dirs/distill_quality_dino
    python benchmarks/query_rows.py $W/CKD_seed2_*/ckd_dino_r34-r18-narrow_shapes.py \\
        $W/{student_alone,CKD}_seed2_*/iter_3000.pth

The statistics, the reading and the table are dense_rows.py's; here "object top-1" equals
top-1, as the Hungarian matching gives each object one query.
"""
from dense_rows import main

# each row choice: its PriorSelection options beside the config's, and whether the loss
# leaves an object's rows out of each other's negatives (never: one query per object)
ROWS = {'matched queries (the default)': (dict(mode='positives'), False),
        'matched + teacher top-10': (dict(mode='positives+teacher_topk', topk=10), False),
        'every query': (dict(mode='all'), False),
        'every query, teacher-confidence weights': (
            dict(mode='all', weight='teacher_confidence'), False)}

if __name__ == '__main__':
    main(ROWS, __doc__, 'a DINODistiller or DeformableDETRDistiller')
