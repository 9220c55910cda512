# Task and Target share the abstract PlanItem (state only: related names and a help text, no SQL).

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('plans', '0003_content_translations'),
    ]

    operations = [
        migrations.AlterField(
            model_name='target',
            name='plan',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='%(class)ss', to='plans.plan'),
        ),
        migrations.AlterField(
            model_name='target',
            name='position',
            field=models.PositiveSmallIntegerField(help_text='order in the plan'),
        ),
        migrations.AlterField(
            model_name='task',
            name='plan',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='%(class)ss', to='plans.plan'),
        ),
    ]
